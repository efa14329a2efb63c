package org.pohmelfs.gateway.replication;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.pohmelfs.client.ClientSettings;
import org.pohmelfs.client.NodeClient;
import org.pohmelfs.cluster.ClusterMap;
import org.pohmelfs.cluster.Member;
import org.pohmelfs.cluster.MemberState;
import org.pohmelfs.cluster.zk.ClusterMapStore;
import org.pohmelfs.cluster.zk.EmbeddedZooKeeper;
import org.pohmelfs.cluster.zk.ZkClients;

/**
 * The gateway publishes the epoch it has applied (design.md §4.4): its entry in a real embedded
 * ZooKeeper shows a map's epoch only after the authority listeners (the lease cache's move) ran.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class GatewayEntryTest {
    @TempDir
    Path dir;

    @Test
    void theEntryShowsAnEpochOnlyAfterTheAuthorityListenersRanForItsMap() throws Exception {
        try (EmbeddedZooKeeper zk = EmbeddedZooKeeper.start(dir.resolve("zk"), 0);
             CuratorFramework curator = ZkClients.start(zk.connectString(), Duration.ofSeconds(10))) {
            ClusterMapStore store = new ClusterMapStore(curator, "pohmelfs");
            // Nothing listens at these ports: the gateway opens links only on use.
            store.initialize(ClusterMap.bootstrap(List.of(new Member("node1", "127.0.0.1", 1, MemberState.IN_SYNC),
                    new Member("node2", "127.0.0.1", 2, MemberState.IN_SYNC))));
            ZooKeeperMapSource source = new ZooKeeperMapSource(zk.connectString(), Duration.ofSeconds(10),
                    "pohmelfs", "gw1", Duration.ofSeconds(20));
            try (Replicas replicas = new Replicas(source, new NodeClient(ClientSettings.defaults("gw1", "pohmelfs")),
                         new Replicas.Settings(Duration.ofSeconds(1), Duration.ofSeconds(3), Duration.ofSeconds(1), 8,
                                 Duration.ofSeconds(5), Duration.ofSeconds(1), true), new SimpleMeterRegistry())) { // closes the source
                await().atMost(Duration.ofSeconds(20)).until(() -> Map.of("gw1", 1L).equals(store.gatewayEpochs()));

                CountDownLatch moving = new CountDownLatch(1);
                CountDownLatch release = new CountDownLatch(1);
                List<String> authorities = new CopyOnWriteArrayList<>();
                replicas.onAuthority(a -> {
                    authorities.add(a.id());
                    if (a.id().equals("node2")) {
                        moving.countDown();
                        try {
                            release.await(20, TimeUnit.SECONDS); // the lease cache's move, taking its time
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    }
                });
                store.update(m -> m.handAuthorityTo("node2"));

                assertThat(moving.await(20, TimeUnit.SECONDS)).isTrue();
                assertThat(store.gatewayEpochs()).as("not applied while the authority listener runs")
                        .containsExactly(Map.entry("gw1", 1L));
                release.countDown();
                await().atMost(Duration.ofSeconds(20)).until(() -> Map.of("gw1", 2L).equals(store.gatewayEpochs()));
                assertThat(authorities).containsExactly("node1", "node2");
            }
            assertThat(store.gatewayEpochs()).as("the entry goes when the gateway stops").isEmpty();
        }
    }
}
