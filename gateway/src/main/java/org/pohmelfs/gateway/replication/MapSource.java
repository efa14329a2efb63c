package org.pohmelfs.gateway.replication;

import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.pohmelfs.cluster.ClusterMap;

/**
 * Where the gateway's cluster map comes from (design.md §4.1): ZooKeeper ({@link ZooKeeperMapSource})
 * or a static list of nodes ({@link StaticMapSource}). Holds the newest map seen and tells
 * listeners about each later one, in increasing epoch order. Thread-safe.
 */
public abstract class MapSource implements AutoCloseable {
    private final AtomicReference<ClusterMap> current = new AtomicReference<>();
    private final List<Consumer<ClusterMap>> listeners = new CopyOnWriteArrayList<>();

    /** The newest map known, or empty while none is. */
    public final Optional<ClusterMap> current() {
        return Optional.ofNullable(current.get());
    }

    /** Calls {@code listener} with every later map (and with the current one now, if any). */
    public final void listen(Consumer<ClusterMap> listener) {
        listeners.add(listener);
        ClusterMap now = current.get();
        if (now != null) {
            listener.accept(now);
        }
    }

    /** Takes {@code map} if it is newer than the one held; returns the map held afterwards. */
    protected final ClusterMap offer(ClusterMap map) {
        ClusterMap before = current.getAndAccumulate(map, (a, b) -> a == null || b.epoch() > a.epoch() ? b : a);
        if (before == null || map.epoch() > before.epoch()) {
            synchronized (listeners) { // deliveries in epoch order
                if (current.get() == map) {
                    listeners.forEach(l -> l.accept(map));
                }
            }
        }
        return current.get();
    }

    /**
     * The gateway has applied {@code map}: its lease cache follows the map's authority and
     * requests see the map ({@link Replicas} calls this last). With ZooKeeper this is published
     * for the nodes' authority grace (design.md §4.4); without, it does nothing. Must not block.
     */
    void applied(ClusterMap map) {
    }

    /**
     * Calls {@code listener} with false when this gateway can no longer learn of map changes
     * (its ZooKeeper connection is suspended or its session lost), and with true once it can
     * again and has read the newest map. A source whose map cannot change never calls it.
     */
    public void onSession(Consumer<Boolean> listener) {
    }

    /** The epoch that requests carry under {@code map}: its own, or 0 when this source cannot fence. */
    public abstract long wireEpoch(ClusterMap map);

    /** Whether {@link #fence} works: only with a map in ZooKeeper. */
    public abstract boolean canFence();

    /** Marks {@code nodes} OUT (blocking) and returns the map in force afterwards. */
    public abstract ClusterMap fence(Set<String> nodes) throws Exception;

    /** Reads the newest map (blocking), after a node said STALE_EPOCH. */
    public abstract ClusterMap refresh() throws Exception;

    /**
     * Applies {@code change} to the newest map by compare-and-set (blocking, retried until it
     * wins) and returns the map in force afterwards. A refusal of the change
     * ({@link org.pohmelfs.cluster.MapChangeRefused}) passes through; a source that cannot change
     * its map throws {@link ChangeUnsupported}.
     */
    public abstract ClusterMap change(java.util.function.UnaryOperator<ClusterMap> change) throws Exception;

    /** Ids of the storage nodes registered live now, or empty when this source cannot tell (blocking). */
    public abstract Optional<Set<String>> liveNodes() throws Exception;

    /** The resync progress the resyncing nodes publish now (blocking); none without ZooKeeper. */
    public abstract List<org.pohmelfs.cluster.ResyncProgress> progress() throws Exception;

    /** Thrown by {@link #change} on a source whose map is fixed (a static node list). */
    public static final class ChangeUnsupported extends RuntimeException {
        public ChangeUnsupported(String reason) {
            super(reason);
        }
    }

    @Override
    public abstract void close();
}
