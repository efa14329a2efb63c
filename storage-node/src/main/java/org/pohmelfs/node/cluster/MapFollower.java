package org.pohmelfs.node.cluster;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.state.ConnectionState;
import org.apache.curator.framework.state.ConnectionStateListener;
import org.pohmelfs.cluster.ClusterMap;
import org.pohmelfs.cluster.Member;
import org.pohmelfs.cluster.MemberState;
import org.pohmelfs.cluster.zk.ClusterMapStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a node in step with the cluster map in ZooKeeper: its {@link EpochFence} follows the
 * map's epoch (watch, plus a fresh read for a request from a later epoch), and the node is
 * registered live for as long as its session lasts. Closing it ends both.
 *
 * <p>A node serves only while its ZooKeeper session is live (design.md §4.1, §4.6): when the
 * connection is suspended or the session lost, the fence refuses every request
 * ({@link EpochFence#sessionLost}); once connected again (the same session, or a new one, in
 * which Curator makes the live entry again) it reads the map afresh and serves at its epoch.
 *
 * <p>How: a Curator connection-state listener. Each state change takes a new generation
 * number (under the follower's lock, as is the restore); a reconnect starts a virtual thread that reads the map ({@code readLatest}, retried
 * while the connection holds) and restores the fence only if no later change came meanwhile,
 * so a loss that overtakes a slow re-read is never undone.
 */
public final class MapFollower implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(MapFollower.class);

    private final EpochFence fence;
    private final ClusterMapStore store;
    private final CuratorFramework client;
    private final AtomicLong generation = new AtomicLong();
    private final ConnectionStateListener sessions = (c, state) -> changed(state);
    private final String nodeId;
    private volatile MemberState state;
    private ClusterMapStore.Watch watch;
    private ClusterMapStore.Registration live;

    private MapFollower(EpochFence fence, ClusterMapStore store, CuratorFramework client, String nodeId,
                        ClusterMap first) {
        this.nodeId = nodeId;
        this.state = stateIn(first);
        this.fence = fence;
        this.store = store;
        this.client = client;
    }

    /**
     * Starts following the map of {@code store}, which must exist, and registers
     * {@code nodeId} at {@code address} as live. {@code client} is the store's client.
     */
    public static MapFollower start(CuratorFramework client, ClusterMapStore store, String nodeId, String address,
                                    boolean refuseUnfenced, Duration timeout) throws Exception {
        ClusterMap map = store.read().orElseThrow(() -> new IllegalStateException("no cluster map at " + store.mapPath()))
                .map();
        EpochFence fence = EpochFence.following(map.epoch(), () -> store.readLatest().orElseThrow().map().epoch(),
                refuseUnfenced);
        MapFollower follower = new MapFollower(fence, store, client, nodeId, map);
        fence.inSync(follower.state == null || follower.state == MemberState.IN_SYNC);
        client.getConnectionStateListenable().addListener(follower.sessions);
        try {
            follower.watch = store.watch(m -> {
                fence.observe(m.epoch());
                MemberState s = follower.stateIn(m);
                follower.state = s;
                fence.inSync(s == null || s == MemberState.IN_SYNC);
            });
            follower.live = store.registerLive(nodeId, address, timeout);
            return follower;
        } catch (Exception | Error e) {
            follower.close();
            throw e;
        }
    }

    public EpochFence fence() {
        return fence;
    }

    /** Whether the node serves now (it has a session and has read the map in it). */
    public boolean serving() {
        return fence.serving();
    }

    /** This node's state in the last map it saw; null when the map does not list it. */
    public MemberState state() {
        return state;
    }

    private MemberState stateIn(ClusterMap map) {
        return map.member(nodeId).map(Member::state).orElse(null);
    }

    private synchronized void changed(ConnectionState state) {
        long mine = generation.incrementAndGet();
        switch (state) {
            case SUSPENDED, LOST, READ_ONLY -> {
                LOG.warn("ZooKeeper connection {}: not serving", state);
                fence.sessionLost();
            }
            case CONNECTED, RECONNECTED -> Thread.ofVirtual().name("map-reread").start(() -> reread(mine));
        }
    }

    private void reread(long mine) {
        long backoff = 50;
        while (generation.get() == mine) {
            try {
                long epoch = store.readLatest().orElseThrow(() -> new IllegalStateException("the map is gone"))
                        .map().epoch();
                synchronized (this) {
                    if (generation.get() == mine) {
                        fence.sessionRestored(epoch);
                    }
                }
                return;
            } catch (Exception e) {
                LOG.warn("re-reading the cluster map after reconnecting: {}", e.toString());
                try {
                    // A retry loop on its own virtual thread (not a Curator or Netty thread): the
                    // session may still be settling right after a reconnect; a later state change
                    // (generation) ends the loop.
                    Thread.sleep(backoff);
                } catch (InterruptedException interrupted) {
                    return;
                }
                backoff = Math.min(backoff * 2, 2_000);
            }
        }
    }

    @Override
    public void close() {
        client.getConnectionStateListenable().removeListener(sessions);
        generation.incrementAndGet();
        if (live != null) {
            live.close();
        }
        if (watch != null) {
            watch.close();
        }
    }
}
