package org.pohmelfs.node.cluster;

import java.time.Duration;
import org.pohmelfs.cluster.ClusterMap;
import org.pohmelfs.cluster.zk.ClusterMapStore;

/**
 * Keeps a node in step with the cluster map in ZooKeeper: its {@link EpochFence} follows the
 * map's epoch (watch, plus a fresh read for a request from a later epoch), and the node is
 * registered live for as long as its session lasts. Closing it ends both.
 */
public final class MapFollower implements AutoCloseable {
    private final EpochFence fence;
    private final ClusterMapStore.Watch watch;
    private final ClusterMapStore.Registration live;

    private MapFollower(EpochFence fence, ClusterMapStore.Watch watch, ClusterMapStore.Registration live) {
        this.fence = fence;
        this.watch = watch;
        this.live = live;
    }

    /**
     * Starts following the map of {@code store}, which must exist, and registers
     * {@code nodeId} at {@code address} as live.
     */
    public static MapFollower start(ClusterMapStore store, String nodeId, String address, boolean refuseUnfenced,
                                    Duration timeout) throws Exception {
        ClusterMap map = store.read().orElseThrow(() -> new IllegalStateException("no cluster map at " + store.mapPath()))
                .map();
        EpochFence fence = EpochFence.following(map.epoch(), () -> store.readLatest().orElseThrow().map().epoch(),
                refuseUnfenced);
        ClusterMapStore.Watch watch = store.watch(m -> fence.observe(m.epoch()));
        try {
            return new MapFollower(fence, watch, store.registerLive(nodeId, address, timeout));
        } catch (Exception | Error e) {
            watch.close();
            throw e;
        }
    }

    public EpochFence fence() {
        return fence;
    }

    @Override
    public void close() {
        live.close();
        watch.close();
    }
}
