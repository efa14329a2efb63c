package org.pohmelfs.node.txn;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.pohmelfs.protocol.ObjectPath;

/**
 * The restart guard of unstable writes (protocol §4.8, design.md §2.1): the export paths that
 * received unstable writes in this node process (incarnation) and were not committed since. It
 * lives in memory only, so a restarted node holds none and answers COMMIT with UNSTABLE_LOST:
 * it cannot tell whether a power loss took the writes.
 *
 * <p>An entry is in one of three states. <em>Pending</em>: unstable writes not forced yet;
 * {@link #pending} says whether they changed the file's folder (created the file), so COMMIT
 * forces that too. <em>Forced</em>: a pending path that was forced to make room ({@link #makeRoom});
 * its COMMIT still passes, like a pending one whose folder needs nothing. <em>Lost</em>: the file
 * carries the marker of an earlier incarnation; its COMMIT is UNSTABLE_LOST.
 *
 * <p>Bounded, so that leaked paths (staging files of a gateway that crashed mid-upload) cannot
 * grow it without limit or shut later uploads out:
 * <ul>
 * <li>pending + lost entries: at most {@code max}. A transaction whose fresh paths would pass it
 *     first drops lost entries (oldest first; nothing is lost by it: the file keeps its foreign
 *     marker, so a later write finds it lost again and a COMMIT of a path not here fails anyway),
 *     then names the least recently written pending paths for the caller to force
 *     ({@link #makeRoom}, {@link #forced}).</li>
 * <li>forced entries: at most {@code max} too; past that the oldest is dropped, and its COMMIT
 *     answers UNSTABLE_LOST (the writer writes again). Only a path left idle while as many other
 *     paths were forced after it gets there.</li>
 * </ul>
 *
 * <p>Thread-safe (every method synchronized): changes come from transactions under the manager's
 * write lock, {@link #committed} also from readers under the read lock. Keys are canonical paths
 * ({@link ObjectPath#toString}).
 */
final class UnstableWrites {
    static final int MAX_PATHS = 65_536;

    /** A pending path to force before the set has room: its file, and its folder if {@code folder}. */
    record Victim(String path, boolean folder) {
    }

    private enum State { PENDING, PENDING_FOLDER, FORCED, LOST }

    // How it works: byName holds every entry (whole-tree forgets need name ranges); each state
    // has its own insertion-ordered set for its eviction order: pending by last write (a write
    // moves the path to the end), forced and lost by arrival.
    private final TreeMap<String, State> byName = new TreeMap<>();
    private final LinkedHashSet<String> pendingByWrite = new LinkedHashSet<>();
    private final LinkedHashSet<String> forcedByAge = new LinkedHashSet<>();
    private final LinkedHashSet<String> lostByAge = new LinkedHashSet<>();
    private int max;

    UnstableWrites() {
        this(MAX_PATHS);
    }

    UnstableWrites(int max) {
        limit(max);
    }

    /** Sets the bound (tests); entries already held stay until they are made room for. */
    synchronized void limit(int max) {
        if (max < 1) {
            throw new IllegalArgumentException("the set must hold at least one path");
        }
        this.max = max;
    }

    /** The canonical form of a path, or null when it does not parse (the store refuses it). */
    static String canonical(String path) {
        try {
            return ObjectPath.parse(path).toString();
        } catch (ObjectPath.InvalidPathException e) {
            return null;
        }
    }

    /** Whether adding {@code more} (canonical paths) keeps the pending and lost entries within the bound. */
    synchronized boolean admits(Collection<String> more) {
        return pendingByWrite.size() + lostByAge.size() + fresh(more).size() <= max;
    }

    /** Paths of {@code more} that would become new pending entries (not pending or lost now). */
    private Set<String> fresh(Collection<String> more) {
        Set<String> fresh = new HashSet<>();
        for (String p : more) {
            State s = byName.get(p);
            if (s == null || s == State.FORCED) {
                fresh.add(p);
            }
        }
        return fresh;
    }

    /**
     * Makes room for {@code more}: drops lost entries not among them (oldest first), then returns
     * the least recently written pending paths not among them that must still go, for the caller
     * to force (journal first, then each file) and hand to {@link #forced}. Empty when
     * {@code more} fits already. When fewer paths can go than needed, returns them all and
     * {@link #admits} stays false.
     */
    synchronized List<Victim> makeRoom(Collection<String> more) {
        Set<String> keep = new HashSet<>(more);
        int over = pendingByWrite.size() + lostByAge.size() + fresh(more).size() - max;
        for (Iterator<String> it = lostByAge.iterator(); over > 0 && it.hasNext(); ) {
            String p = it.next();
            if (!keep.contains(p)) {
                it.remove();
                byName.remove(p);
                over--;
            }
        }
        List<Victim> victims = new ArrayList<>();
        for (Iterator<String> it = pendingByWrite.iterator(); over > 0 && it.hasNext(); ) {
            String p = it.next();
            if (!keep.contains(p)) {
                victims.add(new Victim(p, byName.get(p) == State.PENDING_FOLDER));
                over--;
            }
        }
        return victims;
    }

    /** A pending path's file (and folder) and the journal were forced: its COMMIT passes without more. */
    synchronized void forced(String path) {
        State s = byName.get(path);
        if (s != State.PENDING && s != State.PENDING_FOLDER) {
            return;
        }
        pendingByWrite.remove(path);
        byName.put(path, State.FORCED);
        forcedByAge.add(path);
        if (forcedByAge.size() > max) {
            String oldest = forcedByAge.removeFirst();
            byName.remove(oldest);
        }
    }

    /** {@code path} received unstable writes of a committed transaction. */
    synchronized void written(String path, boolean changedFolder) {
        State s = byName.get(path);
        if (s == State.LOST) {
            return;
        }
        boolean folder = changedFolder || s == State.PENDING_FOLDER;
        if (s == State.FORCED) {
            forcedByAge.remove(path);
        }
        pendingByWrite.remove(path); // to the end: the most recently written
        pendingByWrite.add(path);
        byName.put(path, folder ? State.PENDING_FOLDER : State.PENDING);
    }

    /** {@code path} holds unstable writes of an earlier incarnation: its COMMIT fails until it is deleted or renamed. */
    synchronized void lost(String path) {
        remove(path);
        byName.put(path, State.LOST);
        lostByAge.add(path);
    }

    synchronized boolean isLost(String path) {
        return byName.get(path) == State.LOST;
    }

    /**
     * Null when a COMMIT of {@code path} must fail (no unstable writes here, or lost); else whether
     * the COMMIT must also force the file's folder (false for a forced entry: that was done).
     */
    synchronized Boolean pending(String path) {
        State s = byName.get(path);
        if (s == null || s == State.LOST) {
            return null;
        }
        return s == State.PENDING_FOLDER;
    }

    /** A COMMIT of {@code path} succeeded. */
    synchronized void committed(String path) {
        if (byName.get(path) != State.LOST) {
            remove(path);
        }
    }

    /** {@code path} was deleted or renamed (from or to): forget it and everything below it. */
    synchronized void forgetTree(String path) {
        remove(path);
        String prefix = path.endsWith("/") ? path : path + "/";
        // '0' follows '/' in code-unit order: the sub-map holds exactly the names below the folder.
        String end = prefix.substring(0, prefix.length() - 1) + '0';
        Map<String, State> below = byName.subMap(prefix, true, end, false);
        for (String p : below.keySet()) {
            pendingByWrite.remove(p);
            forcedByAge.remove(p);
            lostByAge.remove(p);
        }
        below.clear();
    }

    private void remove(String path) {
        State s = byName.remove(path);
        if (s != null) {
            pendingByWrite.remove(path);
            forcedByAge.remove(path);
            lostByAge.remove(path);
        }
    }

    /** Every entry: pending, forced and lost. */
    synchronized int size() {
        return byName.size();
    }

    /** Throws when the indexes disagree or a bound is passed (tests). */
    synchronized void checkInvariants() {
        int pending = 0;
        int forced = 0;
        int lost = 0;
        for (Map.Entry<String, State> e : byName.entrySet()) {
            String p = e.getKey();
            boolean ok = switch (e.getValue()) {
                case PENDING, PENDING_FOLDER -> pendingByWrite.contains(p) && ++pending > 0;
                case FORCED -> forcedByAge.contains(p) && ++forced > 0;
                case LOST -> lostByAge.contains(p) && ++lost > 0;
            };
            if (!ok) {
                throw new IllegalStateException(p + " is " + e.getValue() + " but not in that state's order");
            }
        }
        if (pending != pendingByWrite.size() || forced != forcedByAge.size() || lost != lostByAge.size()) {
            throw new IllegalStateException("an order holds a path that is not in that state");
        }
        if (forced > max) {
            throw new IllegalStateException(forced + " forced entries, above the bound " + max);
        }
    }
}
