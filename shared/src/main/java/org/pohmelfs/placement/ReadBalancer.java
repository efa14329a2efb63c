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
 * it sends. A multi-chunk read is a {@link ChunkedRead}: a {@link SplitRead} places each chunk
 * on its own (so one large read keeps every in-sync node busy) and a {@link StickyRead} keeps
 * every chunk on one node; both move a failed chunk to a node it has not tried. Either is safe
 * because the caller checks every chunk against the version the read started with (a version
 * names one content on every replica, design.md §4.5). Not thread-safe: the gateway confines
 * one balancer, and the reads it started, to one thread or guards them with one lock; time and
 * randomness come in from the caller, so a seed replays any run.
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

    /** Starts a multi-chunk read on a chosen node: every chunk goes there until it fails. */
    public StickyRead startRead() {
        return new StickyRead();
    }

    /** Starts a multi-chunk read whose chunks are each placed by {@link #choose}. */
    public SplitRead startSplitRead() {
        return new SplitRead();
    }

    /**
     * Where the chunks of one multi-chunk read go. The caller asks {@link #place} for a chunk's
     * first node, reports {@link #failed} when a node could not serve it (and gets the next node
     * for that chunk, never one that chunk tried), {@link #avoid} when a node served a version
     * other than the read's, and {@link #done} once the chunk is read or given up.
     */
    public sealed interface ChunkedRead permits SplitRead, StickyRead {
        /** The node to read {@code chunk} from first; empty when the read set is empty. */
        Optional<String> place(long chunk);

        /**
         * {@code node} could not serve {@code chunk} (lost, timed out, BUSY): the node to try it on
         * next, one {@code chunk} has not tried; empty when none is left (the read fails).
         */
        Optional<String> failed(long chunk, String node);

        /** {@code node} answered with another version: later chunks go elsewhere while another node is left. */
        void avoid(String node);

        /** {@code chunk} is read or given up: its bookkeeping is dropped. */
        void done(long chunk);
    }

    /**
     * One multi-chunk read spread over the read set: each chunk goes to the node {@link #choose}
     * picks when it is placed (least outstanding of two), so chunks in flight share the nodes.
     * A node that failed a chunk, or served another version, is left out for the rest of the
     * read while another member is left; a chunk never goes twice to the same node.
     */
    public final class SplitRead implements ChunkedRead {
        /** Nodes that failed or lagged during this read: later chunks go elsewhere when they can. */
        private final Set<String> avoided = new HashSet<>();
        /** Per chunk in flight, the nodes it went to. */
        private final Map<Long, Set<String>> tried = new HashMap<>();

        private SplitRead() {
        }

        @Override
        public Optional<String> place(long chunk) {
            return next(tried.computeIfAbsent(chunk, c -> new HashSet<>()));
        }

        @Override
        public Optional<String> failed(long chunk, String node) {
            avoided.add(node);
            Set<String> t = tried.computeIfAbsent(chunk, c -> new HashSet<>());
            t.add(node);
            return next(t);
        }

        @Override
        public void avoid(String node) {
            avoided.add(node);
        }

        @Override
        public void done(long chunk) {
            tried.remove(chunk);
        }

        /** Nodes this read avoids now. */
        public Set<String> avoided() {
            return Set.copyOf(avoided);
        }

        /** Chunks placed and not done yet. */
        public int inFlight() {
            return tried.size();
        }

        private Optional<String> next(Set<String> chunkTried) {
            Set<String> exclude = new HashSet<>(chunkTried);
            exclude.addAll(avoided);
            Optional<String> n = choose(exclude);
            if (n.isEmpty()) {
                // Every untried member failed this read once: a chunk may still try them.
                n = choose(chunkTried);
            }
            n.ifPresent(chunkTried::add);
            return n;
        }
    }

    /** One multi-chunk read: the same node for every chunk until it fails. */
    public final class StickyRead implements ChunkedRead {
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

        /** The read's node; when it left the read set, another one this read has not tried. */
        @Override
        public Optional<String> place(long chunk) {
            return node().or(this::failover);
        }

        /** Fails over when {@code node} is still the read's node; else (another chunk moved the read) stays. */
        @Override
        public Optional<String> failed(long chunk, String node) {
            return node.equals(this.node) ? failover() : node().or(this::failover);
        }

        @Override
        public void avoid(String node) {
            if (node.equals(this.node)) {
                failover();
            }
        }

        @Override
        public void done(long chunk) {
        }
    }
}
