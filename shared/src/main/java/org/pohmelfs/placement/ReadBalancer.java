package org.pohmelfs.placement;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.random.RandomGenerator;

/**
 * Chooses the node for a read (design.md §4.3): power of two choices on outstanding requests.
 * Two distinct candidates are drawn from the read set with the given random source and the one
 * with fewer reads in flight wins; a tie goes to the one drawn first, so idle nodes share reads
 * evenly whatever their map order (a tie rule by map order starved the last node of an idle
 * cluster: it lost every tie). One candidate is taken as is.
 *
 * <p>Contract: only members of the read set last given to {@link #setReadSet} are chosen, never
 * an excluded one. The caller reports {@link #started} and {@link #finished} around every read
 * it sends. A multi-chunk read uses a {@link StickyRead}: the same node for every chunk, so
 * the {@code attr.version} check stays meaningful, and another one (not tried before) only
 * when that node fails. Not thread-safe: the gateway confines one balancer to one thread or
 * guards it; time and randomness come in from the caller, so a seed replays any run.
 */
public final class ReadBalancer {
    private final RandomGenerator random;
    private final Map<String, Integer> outstanding = new HashMap<>();
    private List<String> readSet = List.of();

    public ReadBalancer(RandomGenerator random) {
        this.random = random;
    }

    /** The IN_SYNC members in map order, from a new cluster map. Counts of nodes that stay are kept. */
    public void setReadSet(List<String> nodes) {
        readSet = List.copyOf(nodes);
        outstanding.keySet().retainAll(new HashSet<>(readSet));
    }

    public List<String> readSet() {
        return readSet;
    }

    /** Reads in flight on {@code node}. */
    public int outstanding(String node) {
        return outstanding.getOrDefault(node, 0);
    }

    public void started(String node) {
        outstanding.merge(node, 1, Integer::sum);
    }

    public void finished(String node) {
        outstanding.computeIfPresent(node, (k, v) -> v <= 1 ? null : v - 1);
    }

    /** A node for one read, none of {@code exclude}; empty when no member is left. */
    public Optional<String> choose(Set<String> exclude) {
        List<String> candidates = new ArrayList<>(readSet.size());
        for (String n : readSet) {
            if (!exclude.contains(n)) {
                candidates.add(n);
            }
        }
        if (candidates.size() <= 1) {
            return candidates.stream().findFirst();
        }
        int i = random.nextInt(candidates.size());
        int j = random.nextInt(candidates.size() - 1);
        if (j >= i) {
            j++;
        }
        String a = candidates.get(i);
        String b = candidates.get(j);
        return Optional.of(outstanding(b) < outstanding(a) ? b : a);
    }

    /** Starts a multi-chunk read on a chosen node. */
    public StickyRead startRead() {
        return new StickyRead();
    }

    /** One multi-chunk read: the same node for every chunk until it fails. */
    public final class StickyRead {
        private final Set<String> tried = new HashSet<>();
        private String node;

        private StickyRead() {
            failover();
        }

        /** The node every chunk goes to, or empty when none is left. */
        public Optional<String> node() {
            return Optional.ofNullable(node != null && readSet.contains(node) ? node : null);
        }

        /**
         * The current node failed (or left the read set): moves to another that this read has
         * not tried. The caller restarts the read there (the version may differ).
         */
        public Optional<String> failover() {
            if (node != null) {
                tried.add(node);
            }
            node = choose(tried).orElse(null);
            return Optional.ofNullable(node);
        }
    }
}
