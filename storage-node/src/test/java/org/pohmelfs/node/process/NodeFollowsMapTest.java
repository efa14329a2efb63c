package org.pohmelfs.node.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pohmelfs.testing.NodeProcess;
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

/**
 * A real node process configured with {@code pohmelfs.node.zookeeper.connect} against a real
 * embedded ZooKeeper in this JVM: it registers live, reports the map's epoch, fences by it, and
 * its liveness entry goes when it is killed (SIGKILL, so only the session timeout removes it).
 */
class NodeFollowsMapTest {
    @TempDir
    Path dir;

    @Test
    void aNodeFollowsTheMapAndItsLivenessEndsWithItsSession() throws Exception {
        Files.createDirectories(dir.resolve("export"));
        try (EmbeddedZooKeeper zk = EmbeddedZooKeeper.start(dir.resolve("zk"), 0, 200);
             CuratorFramework client = ZkClients.start(zk.connectString(), Duration.ofSeconds(4));
             NodeProcess node = new NodeProcess(dir.resolve("export"), dir.resolve("node.log"),
                     "--pohmelfs.node.cluster=test",
                     "--pohmelfs.node.zookeeper.connect=" + zk.connectString(),
                     "--pohmelfs.node.zookeeper.session-timeout=2s",
                     "--pohmelfs.node.zookeeper.refuse-unfenced=true")) {
            ClusterMapStore store = new ClusterMapStore(client, "test");
            store.initialize(ClusterMap.bootstrap(List.of(
                    new Member("node-under-test", "127.0.0.1", node.address().getPort(), MemberState.IN_SYNC),
                    new Member("other", "127.0.0.1", 1, MemberState.IN_SYNC))));
            node.start();
            assertThat(store.liveNodes()).containsExactly("node-under-test");

            NodeClient gateway = new NodeClient(ClientSettings.defaults("gw1", "test"));
            try (NodeConnection c = gateway.connectBlocking(node.address())) {
                assertThat(c.welcome().epoch()).isEqualTo(1);
                assertThat(code(c, 0)).isEqualTo(ErrorCode.STALE_EPOCH);
                assertThat(code(c, 1)).isNull();
                store.update(m -> m.fence("other"));
                await().atMost(Duration.ofSeconds(20)).until(() -> {
                    try (NodeConnection again = gateway.connectBlocking(node.address())) {
                        return again.welcome().epoch() == 2;
                    }
                });
                assertThat(code(c, 1)).isEqualTo(ErrorCode.STALE_EPOCH);
                assertThat(code(c, 2)).isNull();
            }

            node.kill();
            await().atMost(Duration.ofSeconds(20)).until(() -> store.liveNodes().isEmpty());
        }
    }

    /** The error of a PING at {@code epoch}, or null when it was answered. */
    private static ErrorCode code(NodeConnection c, long epoch) throws Exception {
        Message.Reply r = c.send(new Message.Request(c.newTxid(), epoch, List.of(new Command.Ping(7))))
                .get(20, TimeUnit.SECONDS);
        return r.results().getFirst() instanceof Result.Error e ? e.code() : null;
    }
}
