package org.pohmelfs.node.locks;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import org.pohmelfs.protocol.Command;
import org.pohmelfs.protocol.DavLock;
import org.pohmelfs.protocol.ErrorCode;

/**
 * The node's WebDAV locks (RFC 4918 class 2): grant, refresh, remove, and the check a mutation
 * must pass. Pure: time comes in as {@code now} (epoch milliseconds), tokens from a supplier;
 * no I/O (the caller persists {@link #all()} after a change it keeps). Not thread-safe: the
 * transaction manager calls it under its own lock (writes under the write lock).
 *
 * <p>Rules. A lock covers its root, and with depth infinity everything below it. A mutation of a
 * path covered by a live lock needs one of the covering locks' tokens, submitted by the principal
 * that took it ({@link Held}). Creating or removing a member also changes the parent collection,
 * so the parent must pass the same check; removing or moving a tree needs the token of every lock
 * rooted inside it. An expired lock is ignored everywhere and dropped on the next change.
 */
public final class DavLockTable {
    /** The longest lifetime granted (also for "Timeout: Infinite"): one hour unless configured. */
    public static final int DEFAULT_MAX_TIMEOUT_SECONDS = 3600;

    private final Map<String, DavLock> locks = new LinkedHashMap<>();
    private final int maxTimeoutSeconds;
    private final Supplier<String> tokens;

    public DavLockTable(int maxTimeoutSeconds, Supplier<String> tokens) {
        if (maxTimeoutSeconds < 1) {
            throw new IllegalArgumentException("maxTimeoutSeconds must be >= 1: " + maxTimeoutSeconds);
        }
        this.maxTimeoutSeconds = maxTimeoutSeconds;
        this.tokens = tokens;
    }

    /** The tokens a transaction submitted, and the principal submitting them. */
    public record Held(String principal, Set<String> tokens) {
        public static final Held NONE = new Held("", Set.of());

        boolean holds(DavLock lock) {
            return tokens.contains(lock.token()) && lock.principal().equals(principal);
        }
    }

    /** A refused lock operation or mutation. */
    public static final class LockException extends Exception {
        private final ErrorCode code;

        public LockException(ErrorCode code, String message) {
            super(message, null, false, false);
            this.code = code;
        }

        public ErrorCode code() {
            return code;
        }
    }

    public boolean isEmpty() {
        return locks.isEmpty();
    }

    /** Every lock, live or not yet purged (for persistence). */
    public List<DavLock> all() {
        return List.copyOf(locks.values());
    }

    /** Replaces the whole table (recovery at start, rollback of an aborted transaction). */
    public void restore(Collection<DavLock> saved) {
        locks.clear();
        for (DavLock l : saved) {
            locks.put(l.token(), l);
        }
    }

    /** Live locks covering {@code path}, sorted by root then token. */
    public List<DavLock> covering(String path, long now) {
        List<DavLock> out = new ArrayList<>();
        for (DavLock l : locks.values()) {
            if (l.expiresAtMillis() > now && l.covers(path)) {
                out.add(l);
            }
        }
        out.sort(java.util.Comparator.comparing(DavLock::root).thenComparing(DavLock::token));
        return out;
    }

    /** Live locks covering {@code path} or rooted below it, sorted by root then token. */
    public List<DavLock> coveringOrInside(String path, long now) {
        List<DavLock> out = new ArrayList<>();
        for (DavLock l : locks.values()) {
            if (l.expiresAtMillis() > now && (l.covers(path) || DavLock.isBelow(l.root(), path))) {
                out.add(l);
            }
        }
        out.sort(java.util.Comparator.comparing(DavLock::root).thenComparing(DavLock::token));
        return out;
    }

    /** Grants a lock or throws LOCKED (conflict) / INVALID_ARGUMENT (bad token). */
    public DavLock lock(Command.Lock c, long now) throws LockException {
        purge(now);
        boolean shared = !c.exclusive();
        for (DavLock l : locks.values()) {
            boolean overlaps = l.covers(c.path()) || c.infinite() && DavLock.isBelow(l.root(), c.path());
            if (overlaps && !(shared && !l.exclusive())) {
                throw new LockException(ErrorCode.LOCKED, c.path() + " conflicts with the "
                        + (l.exclusive() ? "exclusive" : "shared") + " lock on " + l.root());
            }
        }
        String token = c.token().isEmpty() ? tokens.get() : c.token();
        if (locks.containsKey(token)) {
            throw new LockException(ErrorCode.INVALID_ARGUMENT, "lock token already in use");
        }
        int seconds = cap(c.timeoutSeconds());
        DavLock lock = new DavLock(token, c.path(), c.exclusive(), c.infinite(), c.owner(), c.principal(),
                seconds, now + seconds * 1000L);
        locks.put(token, lock);
        return lock;
    }

    /** Renews a live lock of this principal that covers {@code path}. */
    public DavLock refresh(Command.LockRefresh c, long now) throws LockException {
        purge(now);
        DavLock l = find(c.path(), c.token(), c.principal());
        int seconds = cap(c.timeoutSeconds());
        DavLock renewed = l.withExpiry(seconds, now + seconds * 1000L);
        locks.put(l.token(), renewed);
        return renewed;
    }

    /** Removes a live lock of this principal that covers {@code path}. */
    public void unlock(Command.Unlock c, long now) throws LockException {
        purge(now);
        locks.remove(find(c.path(), c.token(), c.principal()).token());
    }

    private DavLock find(String path, String token, String principal) throws LockException {
        DavLock l = locks.get(token);
        if (l == null || !l.covers(path)) {
            throw new LockException(ErrorCode.NO_SUCH_LOCK, "no lock " + token + " covers " + path);
        }
        if (!l.principal().equals(principal)) {
            throw new LockException(ErrorCode.NO_SUCH_LOCK, "lock " + token + " belongs to another principal");
        }
        return l;
    }

    private int cap(int seconds) {
        return seconds <= 0 || seconds > maxTimeoutSeconds ? maxTimeoutSeconds : seconds;
    }

    /**
     * The check before a mutation: changing the object at {@code path} (its content, attributes or
     * existence). Throws LOCKED unless a covering lock's token is held.
     */
    public void checkChange(String path, Held held, long now) throws LockException {
        List<DavLock> covering = covering(path, now);
        if (!covering.isEmpty() && covering.stream().noneMatch(held::holds)) {
            throw new LockException(ErrorCode.LOCKED, path + " is locked (lock on " + covering.getFirst().root() + ")");
        }
    }

    /** The check before adding or removing {@code path} as a member of its parent. */
    public void checkMembership(String path, Held held, long now) throws LockException {
        int slash = path.lastIndexOf('/');
        if (path.equals("/")) {
            return;
        }
        checkChange(slash == 0 ? "/" : path.substring(0, slash), held, now);
    }

    /** The check before removing or replacing the tree at {@code path}: every lock inside it is held. */
    public void checkTree(String path, Held held, long now) throws LockException {
        for (DavLock l : locks.values()) {
            if (l.expiresAtMillis() > now && DavLock.isBelow(l.root(), path) && !held.holds(l)) {
                throw new LockException(ErrorCode.LOCKED, l.root() + " inside " + path + " is locked");
            }
        }
    }

    /** Drops the locks rooted at {@code path} or below it (after it was deleted or moved away). */
    public boolean dropTree(String path) {
        return locks.values().removeIf(l -> l.root().equals(path) || DavLock.isBelow(l.root(), path));
    }

    /** Drops expired locks; true if any was dropped. */
    public boolean purge(long now) {
        return locks.values().removeIf(l -> l.expiresAtMillis() <= now);
    }
}
