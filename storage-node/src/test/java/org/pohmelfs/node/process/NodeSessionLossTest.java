package org.pohmelfs.node.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pohmelfs.client.ClientSettings;
import org.pohmelfs.client.NodeClient;
import org.pohmelfs.client.NodeConnection;
import org.pohmelfs.cluster.ClusterMap;
import org.pohmelfs.cluster.Member;
import org.pohmelfs.cluster.MemberState;
import org.pohmelfs.cluster.zk.ClusterMapStore;
import org.pohmelfs.cluster.zk.EmbeddedZooKeeper;
import org.pohmelfs.cluster.zk.ZkClients;
import org.pohmelfs.protocol.Command;
import org.pohmelfs.protocol.ErrorCode;
import org.pohmelfs.protocol.Message;
import org.pohmelfs.protocol.Result;
import org.pohmelfs.testing.FaultProxy;
import org.pohmelfs.testing.NodeProcess;

/**
 * A real node process that reaches its ZooKeeper through a {@link FaultProxy}: when the link
 * is cut off, the node refuses every request with BUSY (nothing applied) and its readiness is
 * DOWN; meanwhile its session expires and the map moves on; when the link comes back it has a
 * new session, is live again, and serves at the map's new epoch.
 */
class NodeSessionLossTest {
    @TempDir
    Path dir;

    @Test
    void aNodeWithoutZooKeeperSessionRefusesEverythingAndComesBackAtTheNewEpoch() throws Exception {
        Files.createDirectories(dir.resolve("export"));
        HttpClient http = HttpClient.newHttpClient();
        try (EmbeddedZooKeeper zk = EmbeddedZooKeeper.start(dir.resolve("zk"), 0, 200);
             FaultProxy link = FaultProxy.start(zk.connectString());
             CuratorFramework client = ZkClients.start(zk.connectString(), Duration.ofSeconds(4));
             NodeProcess node = new NodeProcess(dir.resolve("export"), dir.resolve("node.log"),
                     "--pohmelfs.node.id=node1",
                     "--pohmelfs.node.cluster=test",
                     "--pohmelfs.node.zookeeper.connect=" + link.address(),
                     "--pohmelfs.node.zookeeper.session-timeout=2s")) {
            ClusterMapStore store = new ClusterMapStore(client, "test");
            store.initialize(ClusterMap.bootstrap(List.of(
                    new Member("node1", "127.0.0.1", node.address().getPort(), MemberState.IN_SYNC),
                    new Member("other", "127.0.0.1", 1, MemberState.IN_SYNC))));
            node.start();
            String readiness = node.httpBase() + "/actuator/health/readiness";
            await().atMost(Duration.ofSeconds(30)).until(() -> status(http, readiness) == 200);
            NodeClient gateway = new NodeClient(ClientSettings.defaults("gw1", "test"));
            try (NodeConnection c = gateway.connectBlocking(node.address())) {
                assertThat(error(c, 1, new Command.Ping(7))).isNull();
                assertThat(metric(http, node, "pohmelfs_node_cluster_serving")).isEqualTo("1.0");
                assertThat(metric(http, node, "pohmelfs_node_cluster_state{application=\"pohmelfs-storage-node\",state=\"IN_SYNC\"}"))
                        .isEqualTo("1.0");

                link.blackhole();
                await().atMost(Duration.ofSeconds(20)).until(() -> error(c, 1, new Command.Ping(7)) != null);
                Result.Error refused = error(c, 1, new Command.Mkdir("/made-while-out", false, 0755));
                assertThat(refused.code()).isEqualTo(ErrorCode.BUSY);
                assertThat(refused.message()).contains("ZooKeeper session");
                assertThat(error(c, 0, new Command.Ping(7)).code()).isEqualTo(ErrorCode.BUSY);
                assertThat(dir.resolve("export/made-while-out")).doesNotExist();
                assertThat(status(http, readiness)).isEqualTo(503);
                assertThat(metric(http, node, "pohmelfs_node_cluster_serving")).isEqualTo("0.0");

                // Out of touch long enough: its session ends and the cluster moves on without it.
                await().atMost(Duration.ofSeconds(20)).until(() -> store.liveNodes().isEmpty());
                store.update(m -> m.fence("other"));
                assertThat(error(c, 2, new Command.Ping(7)).code()).isEqualTo(ErrorCode.BUSY);

                link.pass();
                await().atMost(Duration.ofSeconds(30)).until(() -> error(c, 2, new Command.Ping(7)) == null);
                assertThat(error(c, 1, new Command.Ping(7)).code()).isEqualTo(ErrorCode.STALE_EPOCH);
                assertThat(error(c, 2, new Command.Mkdir("/made-after", false, 0755))).isNull();
                assertThat(dir.resolve("export/made-after")).isDirectory();
                await().atMost(Duration.ofSeconds(20)).until(() -> store.liveNodes().equals(List.of("node1")));
                await().atMost(Duration.ofSeconds(10)).until(() -> status(http, readiness) == 200);
                assertThat(metric(http, node, "pohmelfs_node_cluster_epoch")).isEqualTo("2.0");
            }
        }
    }

    /** The error of a one-command request at {@code epoch}, or null when it was applied. */
    private static Result.Error error(NodeConnection c, long epoch, Command command) throws Exception {
        Message.Reply r = c.send(new Message.Request(c.newTxid(), epoch, List.of(command))).get(20, TimeUnit.SECONDS);
        return r.results().getFirst() instanceof Result.Error e ? e : null;
    }

    private static int status(HttpClient http, String url) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.discarding())
                .statusCode();
    }

    /** A sample's value from the node's Prometheus page, e.g. "1.0". */
    private static String metric(HttpClient http, NodeProcess node, String name) throws Exception {
        String page = http.send(HttpRequest.newBuilder(URI.create(node.httpBase() + "/actuator/prometheus")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        return page.lines().filter(l -> l.startsWith(name.contains("{") ? name : name + "{") || l.startsWith(name + " "))
                .map(l -> l.substring(l.lastIndexOf(' ') + 1)).findFirst().orElse("absent");
    }
}
