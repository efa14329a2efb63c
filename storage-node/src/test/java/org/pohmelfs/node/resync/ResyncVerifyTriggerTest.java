package org.pohmelfs.node.resync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
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
import org.pohmelfs.node.store.ResyncOps;
import org.pohmelfs.protocol.Command;
import org.pohmelfs.protocol.Message;
import org.pohmelfs.protocol.Result;
import org.pohmelfs.testing.NodeProcess;

/**
 * The verify pass's trigger end to end (design.md §5, "Verify pass"): real node processes
 * following a map in a real ZooKeeper. A stopped node's export is changed on its disk outside
 * the protocol: one file's bytes are overwritten in place (its version, an xattr, stays, so a
 * version walk cannot see it) and a stray file is dropped in. On restart the node finds an
 * object without a version, leaves the marker, resyncs with a verify pass because of it, and is
 * IN_SYNC with an export equal to the authority's, object by object; the marker is gone.
 */
class ResyncVerifyTriggerTest {
    private static final String CLUSTER = "verify";

    @TempDir
    Path dir;

    @Test
    void aNodeWhoseExportChangedOnDiskRunsAVerifyPassAndRepairsWhatVersionsHide() throws Exception {
        Path export1 = Files.createDirectories(dir.resolve("node1"));
        Path export2 = Files.createDirectories(dir.resolve("node2"));
        String[] fast = {"--pohmelfs.node.cluster=" + CLUSTER, "--pohmelfs.node.resync.settle=1s",
            "--pohmelfs.node.resync.grace=50ms", "--logging.level.org.pohmelfs.node=INFO"};
        try (EmbeddedZooKeeper zk = EmbeddedZooKeeper.start(dir.resolve("zk"), 0, 200);
             CuratorFramework curator = ZkClients.start(zk.connectString(), Duration.ofSeconds(4));
             NodeProcess node1 = new NodeProcess(export1, dir.resolve("node1.log"), args(fast, "node1", zk));
             NodeProcess node2 = new NodeProcess(export2, dir.resolve("node2.log"), args(fast, "node2", zk))) {
            ClusterMapStore store = new ClusterMapStore(curator, CLUSTER);
            // node2 starts OUT: it copies everything from node1 by its own resync.
            store.initialize(ClusterMap.bootstrap(List.of(
                    new Member("node1", "127.0.0.1", node1.address().getPort(), MemberState.IN_SYNC),
                    new Member("node2", "127.0.0.1", node2.address().getPort(), MemberState.IN_SYNC))).fence("node2"));
            node1.start();
            byte[] data = new byte[200_000];
            new Random(7).nextBytes(data);
            write(node1, store.readLatest().orElseThrow().map().epoch(), data);
            node2.start();
            awaitInSync(store);
            assertThat(ResyncOnTheWireTest.tree(export2)).isEqualTo(ResyncOnTheWireTest.tree(export1));

            node2.kill();
            // Outside the protocol: same length, other bytes, the version xattr untouched; and a stray file.
            try (RandomAccessFile f = new RandomAccessFile(export2.resolve("d/a.bin").toFile(), "rw")) {
                f.seek(1000);
                f.write(new byte[5000]);
            }
            Files.writeString(export2.resolve("d/stray.txt"), "put here by hand");
            assertThat(ResyncOnTheWireTest.tree(export2).get("/d/a.bin"))
                    .as("the damage is real").isNotEqualTo(ResyncOnTheWireTest.tree(export1).get("/d/a.bin"));
            store.update(m -> m.fence("node2")); // what the first gateway write after the kill would do
            node2.start();

            awaitInSync(store);
            assertThat(ResyncOnTheWireTest.tree(export2)).isEqualTo(ResyncOnTheWireTest.tree(export1));
            assertThat(export2.resolve(".pohmelfs").resolve(ResyncOps.VERIFY_MARKER)).doesNotExist();
            // Only a verify pass repairs a.bin (its version equals node1's); the log says why it ran.
            assertThat(Files.readString(dir.resolve("node2.log")))
                    .contains("objects without a version: the next resync runs a verify pass")
                    .contains("is a verify pass");
        }
    }

    private static String[] args(String[] common, String id, EmbeddedZooKeeper zk) {
        List<String> a = new java.util.ArrayList<>(List.of(common));
        a.add("--pohmelfs.node.id=" + id);
        a.add("--pohmelfs.node.zookeeper.connect=" + zk.connectString());
        a.add("--pohmelfs.node.zookeeper.session-timeout=2s");
        return a.toArray(String[]::new);
    }

    private static void awaitInSync(ClusterMapStore store) {
        await("node2 IN_SYNC").atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(200)).until(() ->
                store.readLatest().orElseThrow().map().member("node2").orElseThrow().state() == MemberState.IN_SYNC);
    }

    /** /d/a.bin and /d/b.txt on node1, the only IN_SYNC member, at the map's epoch. */
    private static void write(NodeProcess node, long epoch, byte[] data) throws Exception {
        NodeClient client = new NodeClient(ClientSettings.defaults("writer", CLUSTER));
        try (NodeConnection c = client.connectBlocking(node.address())) {
            Message.Reply r = c.send(new Message.Request(c.newTxid(), epoch, List.of(
                    new Command.Mkdir("/d", true, 0755),
                    new Command.Write("/d/a.bin", 0, ByteBuffer.wrap(data), true),
                    new Command.Write("/d/b.txt", 0, ByteBuffer.wrap("hello".getBytes(StandardCharsets.UTF_8)), true))))
                    .get(30, TimeUnit.SECONDS);
            assertThat(r.results()).allMatch(x -> !(x instanceof Result.Error), "no error: " + r.results());
        }
    }
}
