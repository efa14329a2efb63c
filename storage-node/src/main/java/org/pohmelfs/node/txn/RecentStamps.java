package org.pohmelfs.node.txn;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * The rule-B stamps (§4.5) of transactions this node committed within the last {@code window},
 * and the paths they removed: a resync must not undo an object whose version is one of them,
 * nor make again what one of them removed, since that live write may not have reached the
 * source yet (design.md §5). Thread-safe; O(1) amortised per commit.
 */
public final class RecentStamps {
    private final long windowMillis;
    private final LongSupplier clock;
    private final ArrayDeque<long[]> order = new ArrayDeque<>();
    private final Map<Long, Long> last = new HashMap<>();
    private final ArrayDeque<Object[]> removedOrder = new ArrayDeque<>();
    private final Map<String, Long> removedLast = new HashMap<>();

    public RecentStamps(long windowMillis, LongSupplier clock) {
        this.windowMillis = windowMillis;
        this.clock = clock;
    }

    /** Records a committed transaction's stamp. */
    public synchronized void committed(long stamp) {
        long now = clock.getAsLong();
        order.addLast(new long[] {stamp, now});
        last.put(stamp, now);
        prune(now);
    }

    /** Records a path a committed transaction removed (a DELETE's path, a RENAME's source). */
    public synchronized void removed(String path) {
        long now = clock.getAsLong();
        removedOrder.addLast(new Object[] {path, now});
        removedLast.put(path, now);
        prune(now);
    }

    /**
     * Whether a transaction committed here within the window removed exactly {@code path} (the
     * caller checks ancestors: a recursive DELETE records only its root).
     */
    public synchronized boolean removedRecently(String path) {
        prune(clock.getAsLong());
        return removedLast.containsKey(path);
    }

    /**
     * Whether a transaction committed here within the window removed a path strictly below the
     * directory {@code dir} (rule 2c of a resync: such a directory is not deleted yet). Linear in
     * the paths removed within the window; asked only before a resync deletes a local directory.
     */
    public synchronized boolean removedBelow(String dir) {
        prune(clock.getAsLong());
        String prefix = dir.equals("/") ? "/" : dir + "/";
        for (String p : removedLast.keySet()) {
            if (p.startsWith(prefix) && !p.equals(dir)) {
                return true;
            }
        }
        return false;
    }

    /** Whether {@code version} is the stamp of a transaction committed here within the window. */
    public synchronized boolean recent(long version) {
        prune(clock.getAsLong());
        return last.containsKey(version);
    }

    private void prune(long now) {
        while (!order.isEmpty() && order.peekFirst()[1] < now - windowMillis) {
            long[] e = order.pollFirst();
            last.remove(e[0], e[1]);
        }
        while (!removedOrder.isEmpty() && (long) removedOrder.peekFirst()[1] < now - windowMillis) {
            Object[] e = removedOrder.pollFirst();
            removedLast.remove((String) e[0], e[1]);
        }
    }
}
