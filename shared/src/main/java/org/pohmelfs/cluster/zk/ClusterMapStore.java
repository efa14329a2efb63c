package org.pohmelfs.cluster.zk;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.recipes.cache.ChildData;
import org.apache.curator.framework.recipes.cache.CuratorCache;
import org.apache.curator.framework.recipes.cache.CuratorCacheListener;
import org.apache.curator.framework.recipes.nodes.PersistentNode;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.data.Stat;
import org.pohmelfs.cluster.ClusterMap;
import org.pohmelfs.cluster.ClusterMapJson;
import org.pohmelfs.cluster.ResyncProgress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cluster map of one cluster in ZooKeeper, through Curator (design.md §4.1).
 *
 * <pre>
 * /pohmelfs/&lt;cluster&gt;/map          the map, {@link ClusterMapJson}; persistent
 * /pohmelfs/&lt;cluster&gt;/live/&lt;node&gt;  one ephemeral znode per live storage node, data = its address
 * /pohmelfs/&lt;cluster&gt;/resync/&lt;node&gt; one ephemeral znode per resyncing node, {@link ResyncProgress}
 * /pohmelfs/&lt;cluster&gt;/gateways/&lt;gw&gt;~&lt;n&gt; one ephemeral znode per gateway process, data = the newest
 *                                  epoch whose map it has applied (decimal ASCII; design.md §4.4)
 * </pre>
 *
 * <p>Contract: the only way to change the map is a compare-and-set on the map znode's
 * version ({@link #compareAndSet}, or the retry loop {@link #update}); there is no other
 * writer and no election. A watcher ({@link #watch}) gets the current map, then every later
 * map it sees, in increasing epoch order and never one twice; ZooKeeper watches are one-shot,
 * so changes that follow each other faster than a re-read may be seen only as the last of
 * them, never out of order. A live registration ({@link #registerLive}) exists exactly while
 * its client's session does, and is made again on the next session.
 *
 * <p>The caller owns the {@link CuratorFramework} (started) and closes it.
 */
public final class ClusterMapStore {
    /** A map and the znode version it was read at: what a compare-and-set must name. */
    public record VersionedMap(ClusterMap map, int version) {
    }

    private static final Logger LOG = LoggerFactory.getLogger(ClusterMapStore.class);

    private final CuratorFramework client;
    private final String mapPath;
    private final String livePath;
    private final String resyncPath;
    private final String gatewaysPath;

    public ClusterMapStore(CuratorFramework client, String cluster) {
        this.client = client;
        String root = "/pohmelfs/" + name(cluster);
        this.mapPath = root + "/map";
        this.livePath = root + "/live";
        this.resyncPath = root + "/resync";
        this.gatewaysPath = root + "/gateways";
    }

    /** The map znode's path. */
    public String mapPath() {
        return mapPath;
    }

    /** Stores {@code first} if the cluster has no map yet, and returns the stored map either way. */
    public VersionedMap initialize(ClusterMap first) throws Exception {
        try {
            client.create().creatingParentsIfNeeded().forPath(mapPath, ClusterMapJson.encode(first));
        } catch (KeeperException.NodeExistsException e) {
            LOG.debug("cluster map exists already at {}", mapPath);
        }
        return read().orElseThrow();
    }

    /** The current map, or empty when the cluster has none. */
    public Optional<VersionedMap> read() throws Exception {
        Stat stat = new Stat();
        try {
            byte[] data = client.getData().storingStatIn(stat).forPath(mapPath);
            return Optional.of(new VersionedMap(ClusterMapJson.decode(data), stat.getVersion()));
        } catch (KeeperException.NoNodeException e) {
            return Optional.empty();
        }
    }

    /**
     * As {@link #read}, after a ZooKeeper {@code sync}: the result includes every map write
     * that completed before this call, whichever server of an ensemble the client talks to.
     */
    public Optional<VersionedMap> readLatest() throws Exception {
        try {
            client.sync().forPath(mapPath);
        } catch (KeeperException.NoNodeException e) {
            return Optional.empty();
        }
        return read();
    }

    /**
     * Writes {@code next} if the map znode is still at {@code expected.version()}; false if
     * someone changed it meanwhile (nothing written). {@code next} must be a later epoch.
     */
    public boolean compareAndSet(VersionedMap expected, ClusterMap next) throws Exception {
        if (next.epoch() <= expected.map().epoch()) {
            throw new IllegalArgumentException("epoch " + next.epoch() + " does not follow " + expected.map().epoch());
        }
        try {
            client.setData().withVersion(expected.version()).forPath(mapPath, ClusterMapJson.encode(next));
            return true;
        } catch (KeeperException.BadVersionException e) {
            return false;
        }
    }

    /**
     * Applies {@code change} to the current map and compares-and-sets the result, re-reading
     * and retrying until it wins. Returns the map in force afterwards: the written one, or the
     * current one when {@code change} returned it unchanged (nothing written). A refusal
     * ({@link org.pohmelfs.cluster.MapChangeRefused}) from {@code change} passes through.
     */
    public ClusterMap update(UnaryOperator<ClusterMap> change) throws Exception {
        while (true) {
            VersionedMap current = read().orElseThrow(() -> new IllegalStateException("no cluster map at " + mapPath));
            ClusterMap next = change.apply(current.map());
            if (next.equals(current.map()) || compareAndSet(current, next)) {
                return next;
            }
        }
    }

    /** A running watch; close it to stop deliveries. */
    public interface Watch extends AutoCloseable {
        @Override
        void close();
    }

    /** Delivers the current map and every later one to {@code listener}, on Curator's event thread. */
    public Watch watch(Consumer<ClusterMap> listener) {
        AtomicLong delivered = new AtomicLong();
        CuratorCache cache = CuratorCache.build(client, mapPath, CuratorCache.Options.SINGLE_NODE_CACHE);
        cache.listenable().addListener(CuratorCacheListener.builder()
                .forCreatesAndChanges((before, after) -> deliver(after, delivered, listener))
                .build());
        cache.start();
        return cache::close;
    }

    private void deliver(ChildData data, AtomicLong delivered, Consumer<ClusterMap> listener) {
        if (data == null || data.getData() == null || !data.getPath().equals(mapPath)) {
            return;
        }
        ClusterMap map;
        try {
            map = ClusterMapJson.decode(data.getData());
        } catch (IllegalArgumentException e) {
            LOG.error("unreadable cluster map at {} (version {}): {}", mapPath, data.getStat().getVersion(), e.getMessage());
            return;
        }
        if (map.epoch() > delivered.get()) {
            delivered.set(map.epoch());
            listener.accept(map);
        }
    }

    /** A node's liveness entry; close it to leave (as the node's death or session loss would). */
    public interface Registration extends AutoCloseable {
        @Override
        void close();
    }

    /**
     * Registers {@code nodeId} as live with an ephemeral znode holding {@code address}, and
     * waits up to {@code timeout} for it to exist. Curator re-creates it after a session loss.
     */
    public Registration registerLive(String nodeId, String address, Duration timeout) throws Exception {
        PersistentNode node = new PersistentNode(client, CreateMode.EPHEMERAL, false, livePath + "/" + name(nodeId),
                address.getBytes(StandardCharsets.UTF_8));
        node.start();
        if (!node.waitForInitialCreate(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            node.close();
            throw new IllegalStateException("could not register " + nodeId + " within " + timeout);
        }
        return () -> {
            try {
                node.close();
            } catch (java.io.IOException e) {
                LOG.warn("closing the live registration of {}: {}", nodeId, e.toString());
            }
        };
    }

    /** Ids of the nodes registered live now, sorted. */
    public List<String> liveNodes() throws Exception {
        try {
            return client.getChildren().forPath(livePath).stream().sorted().toList();
        } catch (KeeperException.NoNodeException e) {
            return List.of();
        }
    }

    /**
     * Publishes {@code progress} as its node's resync progress: an ephemeral znode, so it
     * disappears with the publisher's session; overwritten by each later call.
     */
    public void publishProgress(ResyncProgress progress) throws Exception {
        String path = resyncPath + "/" + name(progress.node());
        byte[] data = progress.encode();
        try {
            client.setData().forPath(path, data);
        } catch (KeeperException.NoNodeException e) {
            try {
                client.create().creatingParentContainersIfNeeded().withMode(CreateMode.EPHEMERAL).forPath(path, data);
            } catch (KeeperException.NodeExistsException raced) {
                client.setData().forPath(path, data);
            }
        }
    }

    /** Removes {@code nodeId}'s published progress, if any. */
    public void clearProgress(String nodeId) throws Exception {
        try {
            client.delete().forPath(resyncPath + "/" + name(nodeId));
        } catch (KeeperException.NoNodeException e) {
            LOG.debug("no resync progress of {} to clear", nodeId);
        }
    }

    /** The progress every resyncing node publishes now, sorted by node id; unreadable entries are skipped. */
    public List<ResyncProgress> progress() throws Exception {
        List<String> nodes;
        try {
            nodes = client.getChildren().forPath(resyncPath).stream().sorted().toList();
        } catch (KeeperException.NoNodeException e) {
            return List.of();
        }
        List<ResyncProgress> out = new java.util.ArrayList<>();
        for (String n : nodes) {
            try {
                out.add(ResyncProgress.decode(client.getData().forPath(resyncPath + "/" + n)));
            } catch (KeeperException.NoNodeException gone) {
                LOG.debug("resync progress of {} went away while reading", n);
            } catch (IllegalArgumentException bad) {
                LOG.warn("unreadable resync progress of {}: {}", n, bad.getMessage());
            }
        }
        return out;
    }

    /** The live znode's path for {@code nodeId}. */
    public String livePath(String nodeId) {
        return livePath + "/" + name(nodeId);
    }

    // ------------------------------------------------------------------ gateways' applied epochs

    /**
     * A gateway's entry: an ephemeral znode whose data is the newest epoch whose map the gateway
     * has applied (design.md §4.4). It exists while the gateway's session does; after a session
     * loss it is written again (with the newest epoch) once the client reconnects. Its name is
     * the gateway id, {@code ~}, and a random number drawn per entry: a restarted gateway (whose
     * predecessor's entry lives until that session expires) or two gateways configured with one
     * id never share, and so never delete, each other's entry. Thread-safe.
     */
    public final class GatewayEntry implements AutoCloseable {
        private final String path;
        private final org.apache.curator.framework.state.ConnectionStateListener sessions;
        private long epoch;      // guarded by this
        private boolean closed;  // guarded by this

        private GatewayEntry(String gatewayId) {
            if (gatewayId.contains("~")) {
                throw new IllegalArgumentException("a gateway id must not contain '~': '" + gatewayId + "'");
            }
            this.path = gatewaysPath + "/" + name(gatewayId) + "~"
                    + Long.toHexString(java.util.concurrent.ThreadLocalRandom.current().nextLong() >>> 1);
            this.sessions = (c, state) -> {
                if (state == org.apache.curator.framework.state.ConnectionState.RECONNECTED) {
                    Thread.ofVirtual().name("gateway-entry").start(this::rewrite);
                }
            };
            client.getConnectionStateListenable().addListener(sessions);
        }

        /** The gateway has applied the map of {@code appliedEpoch}; a lower epoch than one written before changes nothing. */
        public synchronized void applied(long appliedEpoch) throws Exception {
            if (closed || appliedEpoch <= epoch) {
                return;
            }
            epoch = appliedEpoch;
            write(appliedEpoch);
        }

        /** The entry's znode path. */
        public String path() {
            return path;
        }

        /** The newest epoch given to {@link #applied}, 0 before the first. */
        public synchronized long epoch() {
            return epoch;
        }

        private synchronized void rewrite() {
            if (closed || epoch == 0) {
                return;
            }
            try {
                write(epoch);
            } catch (Exception e) {
                LOG.warn("writing the gateway entry {} again after reconnecting: {}", path, e.toString());
            }
        }

        private void write(long e) throws Exception {
            byte[] data = Long.toString(e).getBytes(StandardCharsets.UTF_8);
            try {
                client.setData().forPath(path, data);
            } catch (KeeperException.NoNodeException gone) {
                try {
                    client.create().creatingParentContainersIfNeeded().withMode(CreateMode.EPHEMERAL).forPath(path, data);
                } catch (KeeperException.NodeExistsException raced) {
                    client.setData().forPath(path, data);
                }
            }
        }

        /** Removes the entry (as the gateway's death or session loss would) and stops re-creating it. */
        @Override
        public void close() {
            synchronized (this) {
                closed = true;
            }
            client.getConnectionStateListenable().removeListener(sessions);
            try {
                client.delete().quietly().forPath(path);
            } catch (Exception e) {
                LOG.debug("removing the gateway entry {}: {}", path, e.toString());
            }
        }
    }

    /** The entry of gateway {@code gatewayId}; nothing is written until its first {@link GatewayEntry#applied}. */
    public GatewayEntry gatewayEntry(String gatewayId) {
        return new GatewayEntry(gatewayId);
    }

    /** The path of the gateway entry named {@code entryName} (a gateway id, {@code ~}, a number). */
    public String gatewayPath(String entryName) {
        return gatewaysPath + "/" + name(entryName);
    }

    /**
     * The applied epoch of every gateway with an entry now, by gateway id (the entry's name up to
     * {@code ~}); when one id has several entries (a restarted gateway whose predecessor's session
     * has not expired yet), the lowest epoch. An entry whose data is not an epoch counts as epoch 0
     * (it has applied nothing this reader can trust).
     */
    public java.util.SortedMap<String, Long> gatewayEpochs() throws Exception {
        java.util.SortedMap<String, Long> out = new java.util.TreeMap<>();
        List<String> ids;
        try {
            ids = client.getChildren().forPath(gatewaysPath);
        } catch (KeeperException.NoNodeException e) {
            return out;
        }
        for (String id : ids) {
            try {
                out.merge(gatewayId(id), epochOf(gatewaysPath + "/" + id, client.getData().forPath(gatewaysPath + "/" + id)),
                        Math::min);
            } catch (KeeperException.NoNodeException gone) {
                LOG.debug("gateway entry {} went away while reading", id);
            }
        }
        return out;
    }

    /**
     * Delivers the gateways' applied epochs ({@link #gatewayEpochs}'s form) once the current
     * entries are loaded and after every later change, on Curator's cache thread.
     */
    public Watch watchGateways(Consumer<java.util.SortedMap<String, Long>> listener) {
        CuratorCache cache = CuratorCache.build(client, gatewaysPath);
        java.util.concurrent.atomic.AtomicBoolean loaded = new java.util.concurrent.atomic.AtomicBoolean();
        Runnable deliver = () -> {
            java.util.SortedMap<String, Long> out = new java.util.TreeMap<>();
            cache.stream().filter(d -> d.getPath().startsWith(gatewaysPath + "/")
                            && d.getPath().indexOf('/', gatewaysPath.length() + 1) < 0)
                    .forEach(d -> out.merge(gatewayId(d.getPath().substring(gatewaysPath.length() + 1)),
                            epochOf(d.getPath(), d.getData()), Math::min));
            listener.accept(out);
        };
        cache.listenable().addListener(CuratorCacheListener.builder()
                .forAll((type, before, after) -> {
                    if (loaded.get()) {
                        deliver.run();
                    }
                })
                .forInitialized(() -> {
                    loaded.set(true);
                    deliver.run();
                })
                .build());
        cache.start();
        return cache::close;
    }

    private static String gatewayId(String entryName) {
        int tilde = entryName.lastIndexOf('~');
        return tilde < 0 ? entryName : entryName.substring(0, tilde);
    }

    private static long epochOf(String path, byte[] data) {
        try {
            long e = Long.parseLong(new String(data == null ? new byte[0] : data, StandardCharsets.UTF_8).trim());
            return Math.max(0, e);
        } catch (NumberFormatException bad) {
            LOG.warn("gateway entry {} holds no epoch: counted as 0", path);
            return 0;
        }
    }

    private static String name(String s) {
        if (s.isEmpty() || s.contains("/") || s.equals(".") || s.equals("..") || s.chars().anyMatch(c -> c < 0x20)) {
            throw new IllegalArgumentException("not usable as a ZooKeeper node name: '" + s + "'");
        }
        return s;
    }
}
