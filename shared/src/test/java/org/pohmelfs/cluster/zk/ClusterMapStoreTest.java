package org.pohmelfs.cluster.zk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.data.Stat;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pohmelfs.cluster.ClusterMap;
import org.pohmelfs.cluster.MapChangeRefused;
import org.pohmelfs.cluster.Member;
import org.pohmelfs.cluster.MemberState;
import org.pohmelfs.cluster.ResyncProgress;

/** The map store against a real embedded ZooKeeper on a loopback ephemeral port. */
class ClusterMapStoreTest {
    private static final Duration SESSION = Duration.ofSeconds(4);
    private static final ClusterMap FIRST = ClusterMap.bootstrap(List.of(
            new Member("node1", "127.0.0.1", 7070, MemberState.IN_SYNC),
            new Member("node2", "127.0.0.1", 7071, MemberState.IN_SYNC),
            new Member("node3", "127.0.0.1", 7072, MemberState.IN_SYNC)));

    @TempDir
    Path dir;
    private EmbeddedZooKeeper zk;
    private final List<CuratorFramework> clients = new ArrayList<>();

    @BeforeEach
    void startServer() throws Exception {
        zk = EmbeddedZooKeeper.start(dir.resolve("zk"), 0, 200);
    }

    @AfterEach
    void stop() {
        clients.forEach(CuratorFramework::close);
        zk.close();
    }

    private ClusterMapStore store() {
        CuratorFramework client = ZkClients.start(zk.connectString(), SESSION);
        clients.add(client);
        return new ClusterMapStore(client, "test");
    }

    @Test
    void initializeStoresTheFirstMapOnceAndReadReturnsIt() throws Exception {
        ClusterMapStore a = store();
        assertThat(a.read()).isEmpty();
        ClusterMapStore.VersionedMap stored = a.initialize(FIRST);
        assertThat(stored.map()).isEqualTo(FIRST);
        ClusterMap other = ClusterMap.bootstrap(List.of(new Member("x", "127.0.0.1", 1, MemberState.IN_SYNC)));
        assertThat(store().initialize(other)).isEqualTo(stored);
    }

    @Test
    void ofConcurrentCompareAndSetsOnOneVersionExactlyOneWins() throws Exception {
        int writers = 6;
        List<ClusterMapStore> stores = new ArrayList<>();
        for (int i = 0; i < writers; i++) {
            stores.add(store());
        }
        stores.getFirst().initialize(FIRST);
        ExecutorService pool = Executors.newFixedThreadPool(writers);
        try {
            for (int round = 0; round < 5; round++) {
                ClusterMapStore.VersionedMap seen = stores.getFirst().read().orElseThrow();
                CyclicBarrier start = new CyclicBarrier(writers);
                List<Future<Boolean>> results = new ArrayList<>();
                for (int i = 0; i < writers; i++) {
                    ClusterMapStore s = stores.get(i);
                    ClusterMap mine = seen.map().add("w" + round + "-" + i, "127.0.0.2", 1000 * round + i + 1);
                    results.add(pool.submit(() -> {
                        start.await();
                        return s.compareAndSet(seen, mine);
                    }));
                }
                int wins = 0;
                for (Future<Boolean> f : results) {
                    wins += f.get(30, TimeUnit.SECONDS) ? 1 : 0;
                }
                assertThat(wins).as("round %d", round).isEqualTo(1);
                ClusterMap now = stores.getFirst().read().orElseThrow().map();
                assertThat(now.epoch()).isEqualTo(seen.map().epoch() + 1);
                assertThat(now.members()).hasSize(seen.map().members().size() + 1);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void concurrentUpdatesLoseNothing() throws Exception {
        int writers = 4;
        store().initialize(FIRST);
        ExecutorService pool = Executors.newFixedThreadPool(writers);
        try {
            CyclicBarrier start = new CyclicBarrier(writers);
            List<Future<ClusterMap>> results = new ArrayList<>();
            for (int i = 0; i < writers; i++) {
                ClusterMapStore s = store();
                int n = i;
                results.add(pool.submit(() -> {
                    start.await();
                    return s.update(m -> m.add("new" + n, "127.0.0.3", 8000 + n));
                }));
            }
            for (Future<ClusterMap> f : results) {
                f.get(30, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        ClusterMap end = store().read().orElseThrow().map();
        assertThat(end.epoch()).isEqualTo(1 + writers);
        assertThat(end.members()).extracting(Member::id)
                .containsExactlyInAnyOrder("node1", "node2", "node3", "new0", "new1", "new2", "new3");
    }

    @Test
    void updateWritesNothingForANoOpAndPassesRefusalsThrough() throws Exception {
        ClusterMapStore s = store();
        s.initialize(FIRST);
        ClusterMap fenced = s.update(m -> m.fence("node2"));
        assertThat(fenced.epoch()).isEqualTo(2);
        assertThat(s.update(m -> m.fence("node2"))).isEqualTo(fenced);
        assertThat(s.read().orElseThrow().version()).isEqualTo(1);
        s.update(m -> m.fence("node3"));
        assertThatThrownBy(() -> s.update(m -> m.fence("node1"))).isInstanceOf(MapChangeRefused.class);
        assertThat(s.read().orElseThrow().map().readSet()).extracting(Member::id).containsExactly("node1");
        assertThatThrownBy(() -> s.compareAndSet(s.read().orElseThrow(), FIRST))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aWatcherGetsTheCurrentMapThenEveryChangeInEpochOrder() throws Exception {
        ClusterMapStore writer = store();
        writer.initialize(FIRST);
        List<ClusterMap> seen = new CopyOnWriteArrayList<>();
        try (ClusterMapStore.Watch w = store().watch(seen::add)) {
            await().atMost(Duration.ofSeconds(20)).until(() -> seen.size() == 1);
            assertThat(seen.getFirst()).isEqualTo(FIRST);
            ClusterMap expected = FIRST;
            for (String id : List.of("node2", "node3")) {
                expected = writer.update(m -> m.fence(id));
                ClusterMap want = expected;
                await().atMost(Duration.ofSeconds(20)).until(() -> seen.getLast().equals(want));
            }
            assertThat(seen).extracting(ClusterMap::epoch).containsExactly(1L, 2L, 3L);
            for (int i = 0; i < 10; i++) {
                int n = i;
                expected = writer.update(m -> m.add("burst" + n, "127.0.0.4", 9000 + n));
            }
            ClusterMap last = expected;
            await().atMost(Duration.ofSeconds(20)).until(() -> seen.getLast().equals(last));
            List<Long> epochs = seen.stream().map(ClusterMap::epoch).toList();
            assertThat(epochs).isSorted().doesNotHaveDuplicates();
        }
    }

    @Test
    void aLiveEntryGoesWithItsSessionAndComesBackWithTheNext() throws Exception {
        ClusterMapStore observer = store();
        CuratorFramework nodeClient = ZkClients.start(zk.connectString(), SESSION);
        clients.add(nodeClient);
        ClusterMapStore node = new ClusterMapStore(nodeClient, "test");
        try (ClusterMapStore.Registration r = node.registerLive("node1", "127.0.0.1:7070", Duration.ofSeconds(20))) {
            assertThat(observer.liveNodes()).containsExactly("node1");
            Stat before = clients.getFirst().checkExists().forPath(node.livePath("node1"));
            CountDownLatch deleted = new CountDownLatch(1);
            clients.getFirst().checkExists().usingWatcher((Watcher) e -> {
                if (e.getType() == Watcher.Event.EventType.NodeDeleted) {
                    deleted.countDown();
                }
            }).forPath(node.livePath("node1"));

            expireSession(nodeClient);

            assertThat(deleted.await(20, TimeUnit.SECONDS)).as("ephemeral deleted on session loss").isTrue();
            await().atMost(Duration.ofSeconds(30)).until(() -> observer.liveNodes().contains("node1"));
            Stat after = clients.getFirst().checkExists().forPath(node.livePath("node1"));
            assertThat(after.getEphemeralOwner()).isNotEqualTo(before.getEphemeralOwner());
        }
        assertThat(observer.liveNodes()).isEmpty();
    }

    @Test
    void aLiveEntryGoesWhenTheNodeStops() throws Exception {
        ClusterMapStore observer = store();
        CuratorFramework nodeClient = ZkClients.start(zk.connectString(), SESSION);
        new ClusterMapStore(nodeClient, "test").registerLive("node2", "127.0.0.1:7071", Duration.ofSeconds(20));
        assertThat(observer.liveNodes()).containsExactly("node2");
        nodeClient.close();
        assertThat(observer.liveNodes()).isEmpty();
    }

    @Test
    void aRestartedServerKeepsTheMap() throws Exception {
        ClusterMapStore s = store();
        s.initialize(FIRST);
        s.update(m -> m.fence("node3"));
        s.update(m -> m.resync("node3"));
        ClusterMapStore.VersionedMap before = s.read().orElseThrow();
        int port = zk.port();
        clients.forEach(CuratorFramework::close);
        clients.clear();
        zk.close();
        zk = EmbeddedZooKeeper.start(dir.resolve("zk"), port, 200);
        assertThat(store().read()).contains(before);
        assertThat(before.map().epoch()).isEqualTo(3);
        assertThat(before.map().member("node3").orElseThrow().state()).isEqualTo(MemberState.RESYNCING);
    }

    /** Closes the client's session on the server, as a session timeout would: the old ZooKeeper trick. */
    private void expireSession(CuratorFramework client) throws Exception {
        ZooKeeper current = client.getZookeeperClient().getZooKeeper();
        CountDownLatch connected = new CountDownLatch(1);
        ZooKeeper twin = new ZooKeeper(zk.connectString(), (int) SESSION.toMillis(), e -> {
            if (e.getState() == Watcher.Event.KeeperState.SyncConnected) {
                connected.countDown();
            }
        }, current.getSessionId(), current.getSessionPasswd());
        assertThat(connected.await(20, TimeUnit.SECONDS)).isTrue();
        twin.close();
    }

    @Test
    void resyncProgressIsPublishedOverwrittenAndGoneWithThePublishersSession() throws Exception {
        CuratorFramework publisherClient = ZkClients.start(zk.connectString(), SESSION);
        ClusterMapStore publisher = new ClusterMapStore(publisherClient, "test");
        ClusterMapStore reader = store();
        assertThat(reader.progress()).isEmpty();
        ResyncProgress first = new ResyncProgress("node3", ResyncProgress.Phase.PLANNING, "node1", 0, 10, 0, 0, 1000, 1000);
        ResyncProgress later = new ResyncProgress("node3", ResyncProgress.Phase.COPYING, "node1", 4, 6, 4096, 8192, 1000, 2000);
        ResyncProgress other = new ResyncProgress("node2", ResyncProgress.Phase.STARTING, "", 0, 0, 0, 0, 1500, 1500);
        publisher.publishProgress(first);
        publisher.publishProgress(later);
        publisher.publishProgress(other);
        assertThat(reader.progress()).containsExactly(other, later);
        publisher.clearProgress("node2");
        publisher.clearProgress("node2");
        assertThat(reader.progress()).containsExactly(later);
        publisherClient.close();
        await().atMost(Duration.ofSeconds(20)).until(() -> reader.progress().isEmpty());
    }

    @Test
    void aGatewayEntryHoldsTheNewestAppliedEpochAndComesBackAfterASessionLoss() throws Exception {
        ClusterMapStore reader = store();
        List<java.util.SortedMap<String, Long>> seen = new CopyOnWriteArrayList<>();
        try (ClusterMapStore.Watch w = reader.watchGateways(seen::add)) {
            await().atMost(Duration.ofSeconds(20)).until(() -> !seen.isEmpty());
            assertThat(seen.getLast()).isEmpty();
            CuratorFramework gatewayClient = ZkClients.start(zk.connectString(), SESSION);
            clients.add(gatewayClient);
            ClusterMapStore gateway = new ClusterMapStore(gatewayClient, "test");
            ClusterMapStore.GatewayEntry entry = gateway.gatewayEntry("gw1");
            assertThat(reader.gatewayEpochs()).as("nothing before the first applied map").isEmpty();
            entry.applied(3);
            entry.applied(5);
            entry.applied(4); // lower: changes nothing
            assertThat(reader.gatewayEpochs()).containsExactly(java.util.Map.entry("gw1", 5L));
            await().atMost(Duration.ofSeconds(20)).until(() -> java.util.Map.of("gw1", 5L).equals(seen.getLast()));

            // An entry whose data is no epoch counts as 0.
            clients.getFirst().create().creatingParentContainersIfNeeded().withMode(org.apache.zookeeper.CreateMode.EPHEMERAL)
                    .forPath(reader.gatewayPath("gw2"), "x".getBytes(java.nio.charset.StandardCharsets.UTF_8));
            assertThat(reader.gatewayEpochs()).containsExactly(java.util.Map.entry("gw1", 5L), java.util.Map.entry("gw2", 0L));
            clients.getFirst().delete().forPath(reader.gatewayPath("gw2"));

            // A second entry of the same id (a restarted gw1 whose predecessor's session lives on):
            // both stay, the lower epoch counts.
            ClusterMapStore.GatewayEntry again = new ClusterMapStore(clients.getFirst(), "test").gatewayEntry("gw1");
            again.applied(2);
            assertThat(again.path()).isNotEqualTo(entry.path());
            assertThat(reader.gatewayEpochs()).containsExactly(java.util.Map.entry("gw1", 2L));
            again.close();
            assertThat(reader.gatewayEpochs()).containsExactly(java.util.Map.entry("gw1", 5L));

            Stat before = clients.getFirst().checkExists().forPath(entry.path());
            expireSession(gatewayClient);
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                Stat now = clients.getFirst().checkExists().forPath(entry.path());
                return now != null && now.getEphemeralOwner() != before.getEphemeralOwner();
            });
            assertThat(reader.gatewayEpochs()).containsExactly(java.util.Map.entry("gw1", 5L));
            entry.applied(6);
            assertThat(reader.gatewayEpochs()).containsExactly(java.util.Map.entry("gw1", 6L));

            entry.close();
            assertThat(reader.gatewayEpochs()).isEmpty();
            await().atMost(Duration.ofSeconds(20)).until(() -> seen.getLast().isEmpty());
        }
    }
}
