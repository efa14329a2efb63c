package org.pohmelfs.node.config;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.handler.ssl.SslContext;
import java.io.IOException;
import java.time.Duration;
import org.apache.curator.framework.CuratorFramework;
import org.pohmelfs.cluster.MemberState;
import org.pohmelfs.cluster.zk.ClusterMapStore;
import org.pohmelfs.cluster.zk.ZkClients;
import org.pohmelfs.node.cluster.AuthorityWatch;
import org.pohmelfs.node.cluster.EpochFence;
import org.pohmelfs.node.cluster.HoldForwarder;
import org.pohmelfs.node.cluster.MapFollower;
import org.pohmelfs.client.ClientSettings;
import org.pohmelfs.client.NodeClient;
import org.pohmelfs.node.coherence.LeaseDriver;
import org.pohmelfs.node.resync.ResyncDriver;
import org.pohmelfs.node.resync.ResyncStatus;
import org.pohmelfs.node.coherence.LeaseHorizon;
import org.pohmelfs.node.coherence.LockMetrics;
import org.pohmelfs.node.server.IoExecutor;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.pohmelfs.node.server.NodeMetrics;
import org.pohmelfs.node.server.NodeServer;
import org.pohmelfs.node.server.RequestExecutor;
import org.pohmelfs.node.store.StoreSettings;
import org.pohmelfs.node.txn.TransactionManager;
import org.pohmelfs.protocol.LinkPolicy;
import org.pohmelfs.protocol.NodeInfo;
import org.pohmelfs.transport.TlsConfig;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Wires the store, the transaction manager and the native-protocol server into the node. */
@Configuration(proxyBeanMethods = false)
class NodeConfiguration {

    @Bean(destroyMethod = "close")
    TransactionManager transactionManager(NodeProperties p) throws IOException {
        return TransactionManager.open(new StoreSettings(p.export(), p.sizeLimit().toBytes(), p.readOnly(), p.fsync(),
                p.replyCacheEntries(), p.unstableWrites()), System::currentTimeMillis,
                (int) Math.clamp(p.davLockMaxTimeout().toSeconds(), 1, Integer.MAX_VALUE));
    }

    @Bean
    RequestExecutor requestExecutor(TransactionManager transactions) {
        return new TransactionExecutor(transactions);
    }

    @Bean(destroyMethod = "close")
    IoExecutor ioExecutor(NodeProperties p) {
        return new IoExecutor(p.ioConcurrency());
    }

    @Bean
    NodeMetrics nodeMetrics(MeterRegistry registry) {
        return new NodeMetrics(registry);
    }

    /** The node's lease driver; absent when {@code pohmelfs.node.leases=false}. */
    @Bean(destroyMethod = "close")
    @ConditionalOnProperty(name = "pohmelfs.node.leases", havingValue = "true", matchIfMissing = true)
    LeaseDriver leaseDriver(NodeProperties p, MeterRegistry registry) {
        LeaseHorizon horizon = LeaseHorizon.open(p.export().resolve(".pohmelfs"), p.leaseDuration(), System::currentTimeMillis);
        return new LeaseDriver(p.leaseDuration(), new LockMetrics(registry), false, horizon);
    }

    /** The ZooKeeper client for the cluster map; only with {@code pohmelfs.node.zookeeper.connect}. */
    @Bean(destroyMethod = "close")
    @ConditionalOnProperty(name = "pohmelfs.node.zookeeper.connect")
    CuratorFramework clusterZooKeeper(NodeProperties p) {
        return ZkClients.start(p.zookeeper().connect(), p.zookeeper().sessionTimeout());
    }

    /** Follows the cluster map (epoch fence, liveness); only with {@code pohmelfs.node.zookeeper.connect}. */
    @Bean(destroyMethod = "close")
    @ConditionalOnProperty(name = "pohmelfs.node.zookeeper.connect")
    MapFollower mapFollower(NodeProperties p, CuratorFramework clusterZooKeeper, MeterRegistry registry)
            throws Exception {
        MapFollower follower = MapFollower.start(clusterZooKeeper, new ClusterMapStore(clusterZooKeeper, p.cluster()),
                p.id(), p.host() + ":" + p.port(), p.zookeeper().refuseUnfenced(), Duration.ofSeconds(30));
        Gauge.builder("pohmelfs.node.cluster.serving", follower, f -> f.serving() ? 1 : 0)
                .description("1 while the node has a ZooKeeper session and serves, 0 while it refuses every request")
                .register(registry);
        Gauge.builder("pohmelfs.node.cluster.epoch", follower, f -> f.fence().epoch())
                .description("the cluster-map epoch the node acts in")
                .register(registry);
        for (MemberState s : MemberState.values()) {
            Gauge.builder("pohmelfs.node.cluster.state", follower, f -> f.state() == s ? 1 : 0).tag("state", s.name())
                    .description("1 for this node's state in the cluster map it last saw, 0 for the others")
                    .register(registry);
        }
        return follower;
    }

    /**
     * The lock authority's grace and its refusal of lease requests while another node is the
     * authority (design.md §4.4); only with a cluster map and leases.
     */
    @Bean(destroyMethod = "close")
    @ConditionalOnProperty(name = "pohmelfs.node.zookeeper.connect")
    AuthorityWatch authorityWatch(NodeProperties p, CuratorFramework clusterZooKeeper, ObjectProvider<LeaseDriver> leases) {
        LeaseDriver driver = leases.getIfAvailable();
        return driver == null ? AuthorityWatch.none()
                : AuthorityWatch.start(new ClusterMapStore(clusterZooKeeper, p.cluster()), p.id(), driver);
    }

    /**
     * Forwards held writes whose hold ended without UNHOLD to the other IN_SYNC members, fencing
     * those that fail (design.md §4.7); only with a cluster map and leases. Without a map the
     * lease driver releases such holds with a warning: there is nobody to forward to.
     */
    @Bean
    @ConditionalOnProperty(name = "pohmelfs.node.zookeeper.connect")
    HoldForwarder holdForwarder(NodeProperties p, CuratorFramework clusterZooKeeper, ObjectProvider<LeaseDriver> leases,
                                MeterRegistry registry) {
        ClientSettings client = peerClient(p, "hold:" + p.id()).withRequestTimeout(p.holdForwardTimeout());
        HoldForwarder forwarder = new HoldForwarder(p.id(), new ClusterMapStore(clusterZooKeeper, p.cluster()), client,
                p.holdForwardTimeout(), registry);
        leases.ifAvailable(d -> d.forwardWith(forwarder));
        return forwarder;
    }

    /** How this node connects to its peers (resync, forwarding): TLS and link as its own server's. */
    private static ClientSettings peerClient(NodeProperties p, String peerId) {
        // TLS material first: a link policy that requires TLS is refused without it.
        ClientSettings client = ClientSettings.defaults(peerId, p.cluster());
        if (p.tls().enabled()) {
            client = client.withTls(new TlsConfig(p.tls().certificate(), p.tls().privateKey(), p.tls().trustedCa(),
                    p.tls().required()));
        }
        return client.withLink(new LinkPolicy(p.checksums(), p.tls().required(), (int) p.maxFrame().toBytes()));
    }

    /** The resync's figures; its gauges exist (at 0) on every node, resyncing or not. */
    @Bean
    ResyncStatus resyncStatus(NodeProperties p, MeterRegistry registry) {
        return new ResyncStatus(p.id(), registry);
    }

    /** Catches up and rejoins when the map says OUT or RESYNCING (design.md §5); only with a cluster map. */
    @Bean(destroyMethod = "close")
    @ConditionalOnProperty(name = "pohmelfs.node.zookeeper.connect")
    ResyncDriver resyncDriver(NodeProperties p, CuratorFramework clusterZooKeeper, MapFollower follower,
                              TransactionManager transactions, ResyncStatus status) {
        ClientSettings client = peerClient(p, "resync:" + p.id()).withRequestTimeout(p.resync().timeout());
        ResyncDriver driver = new ResyncDriver(p.id(), new ClusterMapStore(clusterZooKeeper, p.cluster()),
                follower::state, follower::serving, transactions.resync(), transactions.recentStamps(), status, new NodeClient(client),
                new ResyncDriver.Settings(p.resync().grace(), p.resync().settle(), p.resync().parallel(),
                        p.resync().timeout(), p.resync().window(), (int) p.resync().chunk().toBytes(),
                        p.resync().verify()));
        if (p.resync().enabled()) {
            driver.start();
        }
        return driver;
    }

    /**
     * Part of readiness: DOWN while the node follows a map and has no ZooKeeper session (it
     * refuses every request then); UP for a node without a map.
     */
    @Bean
    HealthIndicator clusterSessionHealthIndicator(ObjectProvider<MapFollower> map) {
        return () -> map.stream().findFirst()
                .map(f -> (f.serving() ? Health.up().withDetail("zookeeper", "session")
                        : Health.down().withDetail("zookeeper", "no session: refusing every request"))
                        .withDetail("epoch", f.fence().epoch()).build())
                .orElseGet(() -> Health.up().withDetail("zookeeper", "none (no cluster map)").build());
    }

    @Bean(destroyMethod = "close")
    NodeServer nodeServer(NodeProperties p, RequestExecutor executor, IoExecutor io, NodeMetrics metrics,
                          ObjectProvider<LeaseDriver> leases, ObjectProvider<MapFollower> map) throws IOException {
        SslContext ssl = null;
        if (p.tls().enabled()) {
            ssl = new TlsConfig(p.tls().certificate(), p.tls().privateKey(), p.tls().trustedCa(), p.tls().required())
                    .serverContext();
        } else if (p.tls().required()) {
            throw new IllegalStateException("pohmelfs.node.tls.required is set but certificate, private-key and "
                    + "trusted-ca are not all configured");
        }
        LinkPolicy link = new LinkPolicy(p.checksums(), p.tls().required(), (int) p.maxFrame().toBytes());
        return new NodeServer(new NodeServer.Settings(p.id(), p.cluster(), p.host(), p.port(), link, ssl,
                p.maxInFlight()), executor, io, metrics, leases.getIfAvailable(),
                map.stream().findFirst().map(MapFollower::fence).orElseGet(EpochFence::standalone), p.hold());
    }

    /** Starts the server with the context and stops it first on shutdown (before the store closes). */
    @Bean
    SmartLifecycle nodeServerLifecycle(NodeServer server) {
        return new SmartLifecycle() {
            @Override
            public void start() {
                server.start();
            }

            @Override
            public void stop() {
                server.close();
            }

            @Override
            public boolean isRunning() {
                return server.isRunning();
            }
        };
    }

    @Bean
    HealthIndicator exportHealthIndicator(RequestExecutor executor, NodeProperties p) {
        return () -> {
            NodeInfo info = executor.info();
            Health.Builder b = info.readOnly() ? Health.up().withDetail("mode", "read-only") : Health.up();
            return b.withDetail("node", p.id())
                    .withDetail("export", p.export().toString())
                    .withDetail("capacityBytes", info.capacityBytes())
                    .withDetail("usedBytes", info.usedBytes())
                    .withDetail("availableBytes", info.availableBytes())
                    .withDetail("objects", info.objectCount())
                    .build();
        };
    }
}
