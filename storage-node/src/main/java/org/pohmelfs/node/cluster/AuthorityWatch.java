package org.pohmelfs.node.cluster;

import org.pohmelfs.cluster.zk.ClusterMapStore;
import org.pohmelfs.node.coherence.LeaseDriver;

/**
 * Feeds a node's lease driver what its authority grace needs (design.md §4.4): every map the
 * node follows (which node is the lock authority) and the gateways' entries (the epoch each has
 * applied), both watched in ZooKeeper. The first map delivered is the node's map at start, which
 * starts no grace. Closing it stops both watches.
 */
public final class AuthorityWatch implements AutoCloseable {
    private final ClusterMapStore.Watch maps;
    private final ClusterMapStore.Watch gateways;

    private AuthorityWatch(ClusterMapStore.Watch maps, ClusterMapStore.Watch gateways) {
        this.maps = maps;
        this.gateways = gateways;
    }

    /** Starts watching for node {@code nodeId}; the driver is told at once that it follows a map. */
    public static AuthorityWatch start(ClusterMapStore store, String nodeId, LeaseDriver driver) {
        driver.follow(nodeId);
        ClusterMapStore.Watch maps = store.watch(m -> driver.mapFollowed(m.epoch(), m.authority()));
        try {
            return new AuthorityWatch(maps, store.watchGateways(driver::gatewaysApplied));
        } catch (RuntimeException e) {
            maps.close();
            throw e;
        }
    }

    /** Watches nothing: a node without a lease driver has no grace to keep. */
    public static AuthorityWatch none() {
        return new AuthorityWatch(() -> { }, () -> { });
    }

    @Override
    public void close() {
        gateways.close();
        maps.close();
    }
}
