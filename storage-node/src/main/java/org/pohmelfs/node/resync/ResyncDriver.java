package org.pohmelfs.node.resync;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.pohmelfs.client.NodeClient;
import org.pohmelfs.client.NodeConnection;
import org.pohmelfs.cluster.ClusterMap;
import org.pohmelfs.cluster.Member;
import org.pohmelfs.cluster.MemberState;
import org.pohmelfs.cluster.ResyncProgress;
import org.pohmelfs.cluster.zk.ClusterMapStore;
import org.pohmelfs.node.store.ResyncOps;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Brings this node back into the in-sync set (design.md §5): when its member is OUT in the map
 * and its ZooKeeper session is live, it compares-and-sets itself to RESYNCING (gateways then send
 * it every write); while RESYNCING it runs {@link ResyncPass}es against the map's authority (an
 * IN_SYNC member) until one changes nothing, waits {@code settle} (longer than a gateway keeps
 * resending one write to a node), and when a second pass is quiet too, compares-and-sets itself
 * to IN_SYNC. Meanwhile it publishes its {@link ResyncProgress} about once a second.
 *
 * <p>One virtual thread runs the loop; an error ends the resync attempt (counted as a failed
 * pass) and the loop starts again after a second. Closing stops it.
 */
public final class ResyncDriver implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ResyncDriver.class);

    /**
     * @param grace    how long a pass waits between walking and acting, for live writes in flight
     * @param settle   the wait between the first quiet pass and the confirming one
     * @param parallel files fetched at once
     * @param timeout  per request to the source
     * @param window   READs in flight per file
     * @param chunk    bytes per READ (at most what the connection's frame holds)
     * @param verify   when the first pass of a resync is a verify pass
     */
    public record Settings(Duration grace, Duration settle, int parallel, Duration timeout, int window, int chunk,
                           Verify verify) {
    }

    /** When a resync's first pass is a verify pass (design.md §5, "Verify pass"). */
    public enum Verify {
        /** Never: only version differences are looked at. */
        NEVER,
        /**
         * When the node found its export changed outside it: the marker
         * {@link ResyncOps#VERIFY_MARKER} in the state folder, left by a start that found objects
         * without a version (or put there by an operator); removed when a verify pass has run.
         */
        ONCE,
        /** Every resync's first pass, marker or not. */
        ALWAYS
    }

    private final String nodeId;
    private final ClusterMapStore store;
    private final Supplier<MemberState> ownState;
    private final Supplier<Boolean> serving;
    private final ResyncOps local;
    private final org.pohmelfs.node.txn.RecentStamps recent;
    private final ResyncStatus status;
    private final NodeClient client;
    private final Settings settings;
    private final AtomicLong epoch = new AtomicLong();
    private volatile boolean closed;
    private Thread loop;
    private Thread publisher;

    public ResyncDriver(String nodeId, ClusterMapStore store, Supplier<MemberState> ownState, Supplier<Boolean> serving,
                        ResyncOps local, org.pohmelfs.node.txn.RecentStamps recent, ResyncStatus status,
                        NodeClient client, Settings settings) {
        this.recent = recent;
        this.nodeId = nodeId;
        this.store = store;
        this.ownState = ownState;
        this.serving = serving;
        this.local = local;
        this.status = status;
        this.client = client;
        this.settings = settings;
    }

    public synchronized void start() {
        loop = Thread.ofVirtual().name("resync-" + nodeId).start(this::run);
        publisher = Thread.ofVirtual().name("resync-progress-" + nodeId).start(this::publish);
    }

    private void run() {
        while (!closed) {
            try {
                step();
            } catch (InterruptedException e) {
                return;
            } catch (Exception e) {
                if (closed) {
                    return;
                }
                LOG.warn("resync: {}", e.toString());
                status.passDone("failed");
                if (status.active()) {
                    status.ended(ResyncProgress.Phase.FAILED);
                }
                try {
                    // A failed attempt (source gone, I/O) starts over with a fresh map after a pause, so a
                    // source that stays away costs one attempt a second, not a busy loop. STALE_EPOCH (the
                    // map moved on: a fence under live writes, most often) starts over after 50 ms: under a
                    // steady write load a resyncing node may be fenced every second or two, and a pause on
                    // each left its passes too little time to copy what the next write needed, so it never
                    // caught up (MembershipUnderLoadTest, 170 fences in 3 minutes).
                    Thread.sleep(e instanceof PeerSource.StaleEpoch ? 50 : 1000);
                } catch (InterruptedException interrupted) {
                    return;
                }
            }
        }
    }

    private void step() throws Exception {
        MemberState mine = ownState.get();
        if (!serving.get() || mine == null || mine == MemberState.IN_SYNC) {
            // Idle: the map's watch updates ownState and serving; this thread only looks again 5 times a
            // second (no ZooKeeper read while idle), which bounds how late a resync starts.
            Thread.sleep(200);
            return;
        }
        ClusterMap map = store.readLatest().orElseThrow(() -> new IllegalStateException("no cluster map")).map();
        epoch.set(map.epoch());
        Optional<Member> me = map.member(nodeId);
        if (me.isEmpty()) {
            // Not (or no longer) a member: nothing to do until a map names it; look again shortly.
            Thread.sleep(200);
            return;
        }
        switch (me.get().state()) {
            case IN_SYNC -> Thread.sleep(200); // the watch has not caught up with the map read: idle as above
            case OUT -> {
                ClusterMap next = store.update(m -> m.member(nodeId).map(Member::state).orElse(null) == MemberState.OUT
                        ? m.resync(nodeId) : m);
                LOG.info("resync: {} is RESYNCING at epoch {}", nodeId, next.epoch());
            }
            case RESYNCING -> resync(map);
        }
    }

    private void resync(ClusterMap map) throws Exception {
        Member source = map.authorityMember();
        long started = System.currentTimeMillis();
        status.started(source.id(), started);
        LOG.info("resync: {} catches up from {} at {}", nodeId, source.id(), source.address());
        local.clearTemps();
        try (NodeConnection peer = client.connectBlocking(new InetSocketAddress(source.host(), source.port()))) {
            PeerSource src = new PeerSource(peer, epoch::get, settings.timeout(), settings.chunk(), settings.window());
            LocalReplica replica = new LocalReplica(local, src);
            java.util.Set<String> suspects = new java.util.HashSet<>();
            java.util.Set<String> unverified = new java.util.HashSet<>();
            boolean marked = local.verifyRequested();
            boolean verify = settings.verify() == Verify.ALWAYS || (settings.verify() == Verify.ONCE && marked);
            boolean quietOnce = false;
            int passes = 0;
            while (!closed) {
                if (ownState.get() != MemberState.RESYNCING) {
                    LOG.info("resync: {} is no longer RESYNCING in the map; stopping", nodeId);
                    status.ended(ResyncProgress.Phase.FAILED);
                    return;
                }
                epoch.set(store.readLatest().orElseThrow().map().epoch());
                status.phase(ResyncProgress.Phase.PLANNING);
                if (verify) {
                    LOG.info("resync: pass {} is a verify pass: every file is summed on both sides ({})", passes + 1,
                            settings.verify() == Verify.ALWAYS ? "verify=always" : "the export changed outside the node");
                }
                ResyncPass.Outcome o = ResyncPass.run(src, replica, replica,
                        () -> Thread.sleep(settings.grace().toMillis()), status, settings.parallel(), suspects, recent::recent,
                        recent::removedRecently, recent::removedBelow, verify, unverified);
                if (verify && marked) {
                    local.verifyDone();
                }
                verify = false;
                passes++;
                status.passDone(o.quiet() ? "quiet" : "changed");
                LOG.info("resync: pass {} from {}: {} changed, {} skipped, {} bytes", passes, source.id(), o.changed(),
                        o.skipped(), o.bytes());
                if (!o.quiet()) {
                    quietOnce = false;
                    continue;
                }
                if (!quietOnce) {
                    quietOnce = true;
                    // The confirming pass comes a settle time later, longer than a gateway resends one
                    // write to one node, so a write still in flight then shows up as a difference (design §5).
                    Thread.sleep(settings.settle().toMillis());
                    continue;
                }
                if (!unverified.isEmpty()) {
                    LOG.warn("resync: {} files were written throughout and could not be verified: {}", unverified.size(),
                            unverified.stream().limit(10).toList());
                }
                status.phase(ResyncProgress.Phase.JOINING);
                ClusterMap next = store.update(m -> m.member(nodeId).map(Member::state).orElse(null)
                        == MemberState.RESYNCING ? m.promote(nodeId) : m);
                local.recount();
                status.ended(ResyncProgress.Phase.DONE);
                LOG.info("resync: {} is IN_SYNC at epoch {} after {} passes, {} objects and {} bytes in {} ms", nodeId,
                        next.epoch(), passes, status.snapshot(0).objectsDone(), status.snapshot(0).bytesDone(),
                        System.currentTimeMillis() - started);
                return;
            }
        }
    }

    /** Publishes the progress about once a second while a resync runs, and clears it after. */
    private void publish() {
        boolean published = false;
        while (!closed) {
            try {
                if (status.active()) {
                    store.publishProgress(status.snapshot(System.currentTimeMillis()));
                    published = true;
                } else if (published) {
                    store.clearProgress(nodeId);
                    published = false;
                }
            } catch (Exception e) {
                LOG.debug("resync progress not published: {}", e.toString());
            }
            try {
                Thread.sleep(1000);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    @Override
    public synchronized void close() {
        closed = true;
        if (loop != null) {
            loop.interrupt();
            publisher.interrupt();
        }
    }
}
