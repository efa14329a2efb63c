package org.pohmelfs.gateway.failover;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The checks on a recorded {@link Workload} history, pure (no I/O, no clock):
 * <ul>
 *   <li>{@link #failures}: requests without a 2xx answer, or a GET whose body is not content
 *       the workload wrote for that path;</li>
 *   <li>{@link #staleReads}: a GET that returned an older version than one whose write was
 *       acknowledged before the GET started;</li>
 *   <li>{@link #lastAcknowledged} and {@link #accepts}: what a file must hold afterwards — at
 *       least its last acknowledged version, at most the last version anyone tried to write (a
 *       write whose answer was lost may have been applied);</li>
 *   <li>{@link #latencyMillis}: request latencies of a time window, for p50 and p99.</li>
 * </ul>
 */
final class FailoverHistory {
    private final List<Workload.Op> ops;
    private final Map<String, TreeMap<Long, Integer>> acks = new HashMap<>(); // path -> ack time -> version
    private final Map<String, Integer> attempted = new HashMap<>();

    FailoverHistory(List<Workload.Op> ops) {
        this.ops = List.copyOf(ops);
        for (Workload.Op op : ops) {
            if (op.kind() == Workload.Kind.READ) {
                continue;
            }
            attempted.merge(op.path(), op.version(), Math::max);
            if (op.ok()) {
                acks.computeIfAbsent(op.path(), p -> new TreeMap<>()).merge(op.end(), op.version(), Math::max);
            }
        }
    }

    List<Workload.Op> failures() {
        return ops.stream().filter(op -> !op.ok() || (op.kind() == Workload.Kind.READ && op.got() < 0)).toList();
    }

    /** Reads that returned less than the newest version acknowledged before they started. */
    List<String> staleReads() {
        List<String> stale = new ArrayList<>();
        for (Workload.Op op : ops) {
            if (op.kind() != Workload.Kind.READ || !op.ok()) {
                continue;
            }
            int required = requiredAt(op.path(), op.start());
            if (op.got() < required) {
                stale.add(op.path() + ": read at " + op.start() + " returned version " + op.got() + ", but version "
                        + required + " was acknowledged before it started");
            }
        }
        return stale;
    }

    /** The newest version of {@code path} acknowledged strictly before {@code time}; 0 if none. */
    int requiredAt(String path, long time) {
        TreeMap<Long, Integer> a = acks.get(path);
        if (a == null) {
            return 0;
        }
        return a.headMap(time, false).values().stream().mapToInt(Integer::intValue).max().orElse(0);
    }

    /** Path to its last acknowledged version, for every path with an acknowledged write. */
    Map<String, Integer> lastAcknowledged() {
        Map<String, Integer> last = new TreeMap<>();
        acks.forEach((path, a) -> last.put(path, a.values().stream().mapToInt(Integer::intValue).max().orElseThrow()));
        return last;
    }

    /** Whether {@code version} may be what {@code path} holds after the run. */
    boolean accepts(String path, int version) {
        return version >= lastAcknowledged().getOrDefault(path, 0) && version <= attempted.getOrDefault(path, 0);
    }

    /** Latencies in milliseconds, sorted, of the requests that started in [from, to). */
    double[] latencyMillis(long from, long to) {
        return ops.stream().filter(op -> op.start() >= from && op.start() < to)
                .mapToDouble(op -> (op.end() - op.start()) / 1e6).sorted().toArray();
    }

    /** The q-quantile (0..1) of sorted values, nearest rank; NaN when empty. */
    static double quantile(double[] sorted, double q) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int rank = (int) Math.ceil(q * sorted.length);
        return sorted[Math.clamp(rank - 1, 0, sorted.length - 1)];
    }

    int size() {
        return ops.size();
    }
}
