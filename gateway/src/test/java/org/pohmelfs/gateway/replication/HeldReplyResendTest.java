package org.pohmelfs.gateway.replication;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.UnaryOperator;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pohmelfs.client.ClientSettings;
import org.pohmelfs.client.NodeClient;
import org.pohmelfs.client.NodeConnection;
import org.pohmelfs.cluster.ClusterMap;
import org.pohmelfs.cluster.Member;
import org.pohmelfs.cluster.MemberState;
import org.pohmelfs.cluster.ResyncProgress;
import org.pohmelfs.gateway.testing.LocalNodes;
import org.pohmelfs.protocol.Command;
import org.pohmelfs.protocol.Message;

/**
 * A transaction resent at a newer epoch after the lock authority moved (design.md §4.2, §4.7).
 * Its first attempt went to node1, the authority then, with HOLD; node2 and node3 already knew
 * the next map and answered STALE_EPOCH; the second attempt, at the new map (node2 the
 * authority), goes to node1 without HOLD while the first is still in flight there, and the
 * connection hands it the first attempt's reply, HOLD's result first (one transaction in flight
 * per txid on a connection). That reply must read as the others' (nobody fenced, as
 * a disagreement would have it: it got an IN_SYNC node fenced when the admin API moved the
 * authority under load), and node1's hold must be released by an UNHOLD like the authority's.
 *
 * <p>Real in-JVM nodes without ZooKeeper (they adopt the epoch a request names), and a map
 * source scripted by the test: its refresh after STALE_EPOCH gives the map where node2 is the
 * authority, and its fence only records what it was asked.
 */
class HeldReplyResendTest {
    @TempDir
    Path dir;
    private LocalNodes nodes;
    private Replicas replicas;

    /** The map of each epoch, in order; refresh moves to the next; fence records and changes nothing. */
    private static final class ScriptedMapSource extends MapSource {
        private final List<ClusterMap> maps;
        private int at;
        final List<Set<String>> fenced = new CopyOnWriteArrayList<>();

        ScriptedMapSource(List<ClusterMap> maps) {
            this.maps = maps;
            offer(maps.getFirst());
        }

        @Override
        public long wireEpoch(ClusterMap map) {
            return map.epoch();
        }

        @Override
        public boolean canFence() {
            return true;
        }

        @Override
        public synchronized ClusterMap fence(Set<String> nodes) {
            fenced.add(Set.copyOf(nodes));
            return current().orElseThrow();
        }

        @Override
        public synchronized ClusterMap refresh() {
            at = Math.min(at + 1, maps.size() - 1);
            return offer(maps.get(at));
        }

        @Override
        public ClusterMap change(UnaryOperator<ClusterMap> change) {
            throw new ChangeUnsupported("scripted");
        }

        @Override
        public Optional<Set<String>> liveNodes() {
            return Optional.empty();
        }

        @Override
        public List<ResyncProgress> progress() {
            return List.of();
        }

        @Override
        public void close() {
        }
    }

    @AfterEach
    void stop() throws Exception {
        if (replicas != null) {
            replicas.close();
        }
        if (nodes != null) {
            nodes.close();
        }
    }

    @Test
    void aHeldReplyFromTheReplyCacheOfTheFormerAuthorityIsNotADisagreement() throws Exception {
        nodes = LocalNodes.start(dir, 3, Duration.ofSeconds(2));
        List<Member> members = new ArrayList<>();
        for (LocalNodes.Node n : nodes.nodes()) {
            members.add(new Member(n.id(), "127.0.0.1", n.server().port(), MemberState.IN_SYNC));
        }
        ClusterMap first = new ClusterMap(1, members, "node1");
        ClusterMap second = new ClusterMap(2, members, "node2");
        // node2 and node3 learn epoch 2 now (a standalone node adopts the epoch a request names); node1 stays behind.
        NodeClient probe = new NodeClient(ClientSettings.defaults("probe", "pohmelfs"));
        for (LocalNodes.Node n : nodes.nodes().subList(1, 3)) {
            try (NodeConnection c = probe.connectBlocking(new InetSocketAddress("127.0.0.1", n.server().port()))) {
                assertThat(c.send(new Message.Request(c.newTxid(), 2, List.of(new Command.Ping(1)))).join().ok()).isTrue();
            }
        }
        ScriptedMapSource source = new ScriptedMapSource(List.of(first, second));
        NodeClient client = new NodeClient(ClientSettings.defaults("gw-resend", "pohmelfs"));
        replicas = new Replicas(source, client, new Replicas.Settings(Duration.ofSeconds(5), Duration.ofSeconds(10),
                Duration.ofSeconds(5), 8, Duration.ofSeconds(10), Duration.ofMillis(500), false), new SimpleMeterRegistry());

        // Every link connected first, so the first attempt reaches node1 before the second can (a link that
        // connects meanwhile may send the second first, and node1 then never holds). node2 and node3 answer
        // this STATFS at epoch 1 with STALE_EPOCH, which is fine: it is only for the connection.
        for (Member m : members) {
            replicas.statfs(m, Duration.ofSeconds(10)).onErrorResume(e -> reactor.core.publisher.Mono.empty())
                    .block(Duration.ofSeconds(15));
        }

        Message.Reply reply = replicas.write(List.of(new Command.Mkdir("/moved", false, 0755))).block(Duration.ofSeconds(30));

        assertThat(reply).isNotNull();
        assertThat(reply.ok()).as("%s", reply).isTrue();
        assertThat(reply.results()).as("the client's reply has one result per command, HOLD's taken off").hasSize(1);
        assertThat(source.fenced).as("nodes fenced for the former authority's cached HOLD reply").isEmpty();
        for (LocalNodes.Node n : nodes.nodes()) {
            assertThat(n.export().resolve("moved")).as(n.id()).isDirectory();
        }
        // node1 took the first attempt with HOLD, node2 the second: both are released by UNHOLD.
        Awaitility.await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            for (LocalNodes.Node n : nodes.nodes().subList(0, 2)) {
                assertThat(n.registry().get("pohmelfs.node.holds.taken").counter().count()).as(n.id()).isEqualTo(1);
                assertThat(n.registry().get("pohmelfs.node.holds.ended").tag("by", "unhold").counter().count())
                        .as(n.id()).isEqualTo(1);
                assertThat(n.leases().holds().join()).as(n.id()).isEmpty();
            }
        });
    }
}
