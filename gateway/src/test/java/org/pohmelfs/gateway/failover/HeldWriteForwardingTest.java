package org.pohmelfs.gateway.failover;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.pohmelfs.client.ClientSettings;
import org.pohmelfs.client.NodeClient;
import org.pohmelfs.client.NodeConnection;
import org.pohmelfs.cluster.ClusterMap;
import org.pohmelfs.cluster.Member;
import org.pohmelfs.cluster.MemberState;
import org.pohmelfs.protocol.Attr;
import org.pohmelfs.protocol.Command;
import org.pohmelfs.protocol.ErrorCode;
import org.pohmelfs.protocol.Message;
import org.pohmelfs.protocol.Result;

/**
 * The HOLD rule's gap closed (design.md §4.7): a gateway that dies in the middle of a write's
 * fan-out. ZooKeeper, three node processes that follow the map (resync off, so a fenced node
 * stays OUT and the end state is what the forwarding left), and a test client that speaks the
 * native protocol as a gateway would: it sends a held write to the lock authority only, and
 * closes its connection, as if it died before reaching the others. Then no IN_SYNC member may
 * lack the write: each has it with the authority's version and bytes, or is OUT in the map.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class HeldWriteForwardingTest {
    private static final Duration PATIENCE = Duration.ofSeconds(60);

    @TempDir
    static Path dir;
    private static FailoverCluster cluster;

    /** One cluster for both cases (starting three node processes is most of the time): the fencing case runs second. */
    @BeforeAll
    static void start() throws Exception {
        // L of 30 s: a hold ends by the writer's close here, not by L while the test looks (a fresh
        // export has no grace period to wait out, design.md §3.6).
        cluster = FailoverCluster.start(dir, 3, "--pohmelfs.node.resync.enabled=false",
                "--pohmelfs.node.lease-duration=30s");
    }

    @AfterAll
    static void stop() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
    }

    private FailoverCluster cluster() {
        return cluster;
    }

    /** A connection to a member at its map address, as a gateway has it. */
    private static NodeConnection connect(NodeClient client, Member m) {
        return client.connectBlocking(new InetSocketAddress(m.host(), m.port()));
    }

    private static NodeClient gateway(String id) {
        return new NodeClient(ClientSettings.defaults(id, FailoverCluster.CLUSTER));
    }

    private static Message.Reply send(NodeConnection c, long txid, long epoch, Command... commands) throws Exception {
        return c.send(new Message.Request(txid, epoch, List.of(commands))).get(30, TimeUnit.SECONDS);
    }

    private static Attr stat(Member m, long epoch, String path) throws Exception {
        try (NodeConnection c = connect(gateway("checker"), m)) {
            Result r = send(c, c.newTxid(), epoch, new Command.Stat(path)).results().getFirst();
            return r instanceof Result.Attrs a ? a.attr() : null;
        }
    }

    @Test
    @Order(1)
    void aWriteHeldByTheAuthorityOfADeadGatewayReachesTheOtherMembers() throws Exception {
        ClusterMap map = cluster().map();
        Member authority = map.authorityMember();
        byte[] bytes = "written before the gateway died".getBytes(StandardCharsets.UTF_8);

        NodeClient gw = gateway("gw-dies");
        NodeConnection c = connect(gw, authority);
        assertThat(c.holds()).isTrue();
        Message.Reply reply = send(c, gw.newTxid(), map.epoch(), new Command.Hold(),
                new Command.Write("/held.txt", 0, ByteBuffer.wrap(bytes), true));
        assertThat(reply.ok()).as("%s", reply).isTrue();
        long version = ((Result.Attrs) reply.results().get(1)).attr().version();
        // Only the authority has it: the gateway "died" before sending to the others.
        for (Member m : map.members()) {
            assertThat(Files.exists(cluster.export(m.id()).resolve("held.txt"))).as(m.id())
                    .isEqualTo(m.id().equals(authority.id()));
        }

        c.close(); // the gateway dies: no UNHOLD; the authority forwards before it releases the locks

        Awaitility.await().atMost(PATIENCE).pollInterval(Duration.ofMillis(100)).untilAsserted(() -> {
            ClusterMap now = cluster.map();
            for (Member m : now.members()) {
                if (m.state() == MemberState.IN_SYNC) {
                    Attr a = stat(m, now.epoch(), "/held.txt");
                    assertThat(a).as("%s has the write", m.id()).isNotNull();
                    assertThat(a.version()).as("%s: version", m.id()).isEqualTo(version);
                }
            }
        });
        // Healthy members take it: nobody was fenced, and the bytes are the same everywhere.
        ClusterMap after = cluster.map();
        assertThat(after.readSet()).hasSize(3);
        for (Member m : after.members()) {
            assertThat(Files.readAllBytes(cluster.export(m.id()).resolve("held.txt"))).as(m.id()).isEqualTo(bytes);
        }
        // Nothing but the authority's forwarding can have put it there: no gateway runs, resync is off.
    }

    @Test
    @Order(2)
    void aMemberThatRefusesTheForwardedWriteIsFenced() throws Exception {
        ClusterMap map = cluster().map();
        Member authority = map.authorityMember();
        Member node3 = map.member("node3").orElseThrow();
        assertThat(authority.id()).isNotEqualTo("node3");

        // node3 already holds /x (as if it had diverged): an exclusive CREATE of /x fails there only.
        NodeClient other = gateway("gw-other");
        try (NodeConnection c3 = connect(other, node3)) {
            assertThat(send(c3, other.newTxid(), map.epoch(), new Command.Create("/x", true, false, 0644)).ok()).isTrue();
        }

        NodeClient gw = gateway("gw-dies");
        NodeConnection c = connect(gw, authority);
        Message.Reply reply = send(c, gw.newTxid(), map.epoch(), new Command.Hold(),
                new Command.Create("/x", true, false, 0644));
        assertThat(reply.ok()).as("%s", reply).isTrue();
        long version = ((Result.Attrs) reply.results().get(1)).attr().version();
        c.close();

        Awaitility.await().atMost(PATIENCE).pollInterval(Duration.ofMillis(100))
                .until(() -> cluster.map().member("node3").orElseThrow().state() == MemberState.OUT);
        ClusterMap after = cluster.map();
        assertThat(after.epoch()).isGreaterThan(map.epoch());
        assertThat(after.authority()).isEqualTo(authority.id());
        // Every member still IN_SYNC has the write, with the authority's version.
        for (Member m : after.inState(MemberState.IN_SYNC)) {
            Attr a = stat(m, after.epoch(), "/x");
            assertThat(a).as(m.id()).isNotNull();
            assertThat(a.version()).as(m.id()).isEqualTo(version);
        }
        assertThat(after.inState(MemberState.IN_SYNC)).extracting(Member::id).containsExactly("node1", "node2");
        // The fenced node refuses the old epoch now.
        try (NodeConnection c3 = connect(other, node3)) {
            assertThat(send(c3, other.newTxid(), map.epoch(), new Command.Mkdir("/late", false, 0755)).firstError().code())
                    .isEqualTo(ErrorCode.STALE_EPOCH);
        }
        // No gateway runs: only the authority's forwarding can have fenced node3.
    }
}
