package org.pohmelfs.node.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.junit.jupiter.api.AfterEach;
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
import org.pohmelfs.node.config.TransactionExecutor;
import org.pohmelfs.node.server.IoExecutor;
import org.pohmelfs.node.server.NodeMetrics;
import org.pohmelfs.node.server.NodeServer;
import org.pohmelfs.node.store.StoreSettings;
import org.pohmelfs.node.txn.TransactionManager;
import org.pohmelfs.protocol.Command;
import org.pohmelfs.protocol.ErrorCode;
import org.pohmelfs.protocol.LinkPolicy;
import org.pohmelfs.protocol.Message;
import org.pohmelfs.protocol.Result;

/**
 * Epoch fencing on a real node over TCP on loopback, with a real store behind it: WELCOME's
 * epoch, STALE_EPOCH with nothing applied, learning a later epoch from a request or from the
 * cluster map in a real embedded ZooKeeper, and request order kept across a refresh.
 */
class EpochFencingOnTheWireTest {
    @TempDir
    Path dir;
    private final List<AutoCloseable> open = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : open.reversed()) {
            c.close();
        }
    }

    private NodeServer node(EpochFence fence) throws Exception {
        Files.createDirectories(dir.resolve("export"));
        TransactionManager tx = TransactionManager.open(new StoreSettings(dir.resolve("export"), 0, false, false, 1000));
        open.add(tx);
        IoExecutor io = new IoExecutor(8);
        open.add(io);
        NodeServer server = new NodeServer(new NodeServer.Settings("n1", "test", "127.0.0.1", 0, LinkPolicy.defaults(),
                null, 64), new TransactionExecutor(tx), io, new NodeMetrics(new SimpleMeterRegistry()), null, fence);
        server.start();
        open.add(server);
        return server;
    }

    private NodeConnection connect(NodeServer server) {
        NodeConnection c = new NodeClient(ClientSettings.defaults("gw1", "test")).connectBlocking(server.address());
        open.add(c);
        return c;
    }

    private static Message.Reply send(NodeConnection c, long epoch, Command... commands) throws Exception {
        return c.send(new Message.Request(c.newTxid(), epoch, List.of(commands))).get(20, TimeUnit.SECONDS);
    }

    private static Object outcome(Message.Reply reply) {
        Result r = reply.results().getFirst();
        return r instanceof Result.Error e ? e.code() : "ok";
    }

    @Test
    void aStandaloneNodeLearnsALaterEpochFromARequestAndRefusesOlderOnesWithNothingApplied() throws Exception {
        NodeServer server = node(EpochFence.standalone());
        NodeConnection c = connect(server);
        assertThat(c.welcome().epoch()).isZero();
        assertThat(outcome(send(c, 0, new Command.Mkdir("/unfenced", false, 0755)))).isEqualTo("ok");
        assertThat(outcome(send(c, 5, new Command.Mkdir("/five", false, 0755)))).isEqualTo("ok");
        assertThat(connect(server).welcome().epoch()).isEqualTo(5);

        Message.Reply stale = send(c, 4, new Command.Mkdir("/four", false, 0755), new Command.Create("/four/f", false, false, 0644));
        assertThat(stale.results()).allSatisfy(r ->
                assertThat(((Result.Error) r).code()).isEqualTo(ErrorCode.STALE_EPOCH));
        assertThat(Files.exists(dir.resolve("export/four"))).isFalse();
        assertThat(outcome(send(c, 5, new Command.Stat("/four")))).isEqualTo(ErrorCode.NOT_FOUND);
        assertThat(Files.isDirectory(dir.resolve("export/five"))).isTrue();
        // A resend of the refused transaction in the right epoch runs: the refusal was not cached.
        assertThat(outcome(send(c, 5, new Command.Mkdir("/four", false, 0755)))).isEqualTo("ok");
    }

    @Test
    void aNodeFollowingTheMapInZooKeeperFencesGatewaysOfAnOlderEpoch() throws Exception {
        EmbeddedZooKeeper zk = EmbeddedZooKeeper.start(dir.resolve("zk"), 0, 200);
        open.add(zk);
        CuratorFramework nodeClient = ZkClients.start(zk.connectString(), Duration.ofSeconds(4));
        open.add(nodeClient);
        CuratorFramework gatewayClient = ZkClients.start(zk.connectString(), Duration.ofSeconds(4));
        open.add(gatewayClient);
        ClusterMapStore gatewayView = new ClusterMapStore(gatewayClient, "test");
        gatewayView.initialize(ClusterMap.bootstrap(List.of(new Member("n1", "127.0.0.1", 7070, MemberState.IN_SYNC),
                new Member("n2", "127.0.0.1", 7071, MemberState.IN_SYNC))));

        MapFollower follower = MapFollower.start(nodeClient, new ClusterMapStore(nodeClient, "test"), "n1", "127.0.0.1:7070",
                true, Duration.ofSeconds(20));
        open.add(follower);
        NodeServer server = node(follower.fence());
        NodeConnection c = connect(server);
        assertThat(c.welcome().epoch()).isEqualTo(1);
        assertThat(gatewayView.liveNodes()).containsExactly("n1");
        assertThat(outcome(send(c, 0, new Command.Mkdir("/unfenced", false, 0755)))).isEqualTo(ErrorCode.STALE_EPOCH);
        assertThat(outcome(send(c, 1, new Command.Mkdir("/one", false, 0755)))).isEqualTo("ok");

        // A gateway fences n2: epoch 2. The node hears of it through its watch.
        gatewayView.update(m -> m.fence("n2"));
        await().atMost(Duration.ofSeconds(20)).until(() -> follower.fence().epoch() == 2);
        assertThat(connect(server).welcome().epoch()).isEqualTo(2);
        assertThat(outcome(send(c, 1, new Command.Mkdir("/old", false, 0755)))).isEqualTo(ErrorCode.STALE_EPOCH);
        assertThat(Files.exists(dir.resolve("export/old"))).isFalse();
        assertThat(outcome(send(c, 2, new Command.Mkdir("/two", false, 0755)))).isEqualTo("ok");

        // A request from an epoch the map has not reached: BUSY, nothing applied, epoch unchanged.
        assertThat(outcome(send(c, 9, new Command.Mkdir("/nine", false, 0755)))).isEqualTo(ErrorCode.BUSY);
        assertThat(Files.exists(dir.resolve("export/nine"))).isFalse();
        assertThat(follower.fence().epoch()).isEqualTo(2);
    }

    @Test
    void aRequestFromALaterEpochIsCheckedAgainstTheMapBeforeItRuns() throws Exception {
        EmbeddedZooKeeper zk = EmbeddedZooKeeper.start(dir.resolve("zk"), 0, 200);
        open.add(zk);
        CuratorFramework client = ZkClients.start(zk.connectString(), Duration.ofSeconds(4));
        open.add(client);
        ClusterMapStore store = new ClusterMapStore(client, "test");
        store.initialize(ClusterMap.bootstrap(List.of(new Member("n1", "127.0.0.1", 7070, MemberState.IN_SYNC),
                new Member("n2", "127.0.0.1", 7071, MemberState.IN_SYNC))));
        // No watch: the only way this fence learns epoch 2 is reading the map for the request.
        EpochFence fence = EpochFence.following(1, () -> store.readLatest().orElseThrow().map().epoch(), false);
        NodeServer server = node(fence);
        NodeConnection c = connect(server);
        store.update(m -> m.fence("n2"));
        assertThat(fence.epoch()).isEqualTo(1);
        assertThat(outcome(send(c, 2, new Command.Mkdir("/two", false, 0755)))).isEqualTo("ok");
        assertThat(fence.epoch()).isEqualTo(2);
    }

    @Test
    void requestsBehindARefreshKeepTheirOrder() throws Exception {
        CountDownLatch mapRead = new CountDownLatch(1);
        EpochFence fence = EpochFence.following(1, () -> {
            mapRead.await(20, TimeUnit.SECONDS);
            return 2;
        }, false);
        NodeConnection c = connect(node(fence));
        CompletableFuture<Message.Reply> mkdir = c.send(new Message.Request(c.newTxid(), 2,
                List.of(new Command.Mkdir("/a", false, 0755))));
        CompletableFuture<Message.Reply> create = c.send(new Message.Request(c.newTxid(), 2,
                List.of(new Command.Create("/a/f", true, false, 0644))));
        CompletableFuture<Message.Reply> stale = c.send(new Message.Request(c.newTxid(), 1,
                List.of(new Command.Mkdir("/b", false, 0755))));
        assertThat(mkdir).isNotDone();
        mapRead.countDown();
        assertThat(outcome(mkdir.get(20, TimeUnit.SECONDS))).isEqualTo("ok");
        assertThat(outcome(create.get(20, TimeUnit.SECONDS))).isEqualTo("ok");
        assertThat(outcome(stale.get(20, TimeUnit.SECONDS))).isEqualTo(ErrorCode.STALE_EPOCH);
        assertThat(Files.exists(dir.resolve("export/a/f"))).isTrue();
        assertThat(Files.exists(dir.resolve("export/b"))).isFalse();
    }
}
