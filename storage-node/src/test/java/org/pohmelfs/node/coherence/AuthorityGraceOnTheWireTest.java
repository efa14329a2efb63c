package org.pohmelfs.node.coherence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.pohmelfs.client.NodeConnection;
import org.pohmelfs.client.NodeException;
import org.pohmelfs.cluster.ClusterMap;
import org.pohmelfs.cluster.Member;
import org.pohmelfs.cluster.MemberState;
import org.pohmelfs.cluster.zk.ClusterMapStore;
import org.pohmelfs.cluster.zk.EmbeddedZooKeeper;
import org.pohmelfs.cluster.zk.ZkClients;
import org.pohmelfs.coherence.LockMode;
import org.pohmelfs.coherence.LockScope;
import org.pohmelfs.node.cluster.AuthorityWatch;
import org.pohmelfs.protocol.Command;
import org.pohmelfs.protocol.ErrorCode;
import org.pohmelfs.protocol.Message;

/**
 * The lock authority's grace and refusal (design.md §4.4) on a real node over loopback, fed by
 * a real embedded ZooKeeper: the map names the authority, the test writes the gateways' entries
 * as gateways would. The node starts on a fresh export, so without a start grace.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class AuthorityGraceOnTheWireTest {
    @TempDir
    Path dir;
    private EmbeddedZooKeeper zk;
    private ClusterMapStore store;
    private final List<AutoCloseable> open = new ArrayList<>();

    @BeforeEach
    void startZooKeeper() throws Exception {
        zk = EmbeddedZooKeeper.start(Files.createDirectories(dir.resolve("zk")), 0);
        store = new ClusterMapStore(curator(), "test");
    }

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : open.reversed()) {
            c.close();
        }
        zk.close();
    }

    private CuratorFramework curator() {
        CuratorFramework c = ZkClients.start(zk.connectString(), Duration.ofSeconds(10));
        open.add(c);
        return c;
    }

    /** Node n1, in a map of {@code firstIds} order (the first is the authority), following it. */
    private LeaseNode node(Duration lease, String... firstIds) throws Exception {
        // A lease horizon on a fresh export: no start grace (design.md §3.6).
        LeaseNode n = new LeaseNode(Files.createDirectories(dir.resolve("export")), lease, false, true, true, true);
        assertThat(n.registry.get("pohmelfs.node.leases.grace").gauge().value()).isZero();
        open.add(n);
        List<Member> members = new ArrayList<>();
        for (String id : firstIds) {
            members.add(id.equals("n1") ? new Member("n1", "127.0.0.1", n.address().getPort(), MemberState.IN_SYNC)
                    : new Member(id, "127.0.0.1", 1, MemberState.IN_SYNC));
        }
        store.initialize(ClusterMap.bootstrap(members));
        open.add(AuthorityWatch.start(store, "n1", n.driver));
        await().atMost(Duration.ofSeconds(20)).until(() -> n.driver.authority() == firstIds[0].equals("n1")
                && n.driver.queued().join() == 0);
        return n;
    }

    /** A gateway's entry, written by the test, on its own ZooKeeper session. */
    private ClusterMapStore.GatewayEntry gateway(String id, long applied) throws Exception {
        ClusterMapStore.GatewayEntry e = new ClusterMapStore(curator(), "test").gatewayEntry(id);
        e.applied(applied);
        return e;
    }

    private static double graces(LeaseNode n, String ended) {
        return n.registry.get("pohmelfs.node.authority.graces").tag("ended", ended).counter().count();
    }

    private static double lastGraceSeconds(LeaseNode n) {
        return n.registry.get("pohmelfs.node.authority.grace.last").gauge().value();
    }

    private static CompletableFuture<Message.Reply> mkdir(NodeConnection c, String path) {
        return c.send(new Message.Request(c.newTxid(), 0, List.of(new Command.Mkdir(path, false, 0755))));
    }

    @Test
    void aNewAuthorityWhoseGatewaysAllAppliedItsEpochEndsItsGraceByGateways() throws Exception {
        LeaseNode n = node(Duration.ofSeconds(10), "n2", "n1");
        ClusterMapStore.GatewayEntry gw1 = gateway("gw1", 1);
        ClusterMapStore.GatewayEntry gw2 = gateway("gw2", 1);
        NodeConnection plain = n.plain("gw1");

        store.update(m -> m.handAuthorityTo("n1"));
        await().atMost(Duration.ofSeconds(20)).until(() -> n.driver.inAuthorityGrace());
        CompletableFuture<Message.Reply> held = mkdir(plain, "/d");
        await().atMost(Duration.ofSeconds(20)).until(() -> n.driver.queued().join() > 0);
        assertThat(held).as("the mutation waits for the grace").isNotDone();
        assertThat(dir.resolve("export/d")).doesNotExist();

        gw1.applied(2);
        assertThat(n.driver.inAuthorityGrace()).isTrue();
        gw2.applied(2);
        assertThat(held.get(20, TimeUnit.SECONDS).ok()).isTrue();
        assertThat(dir.resolve("export/d")).isDirectory();
        assertThat(n.driver.inAuthorityGrace()).isFalse();
        assertThat(graces(n, "gateways")).isEqualTo(1);
        assertThat(graces(n, "timeout")).isZero();
        assertThat(lastGraceSeconds(n)).isLessThan(10.0);
        // Leases are granted again.
        LeaseNode.Client c = n.client("gw1");
        assertThat(c.connection.acquire("/d", LockMode.SHARED, LockScope.OBJECT).block(Duration.ofSeconds(10)))
                .isNotNull();
    }

    @Test
    void aLaggingGatewayHoldsTheGraceAndTheMutationUntilLPassed() throws Exception {
        LeaseNode n = node(Duration.ofSeconds(1), "n2", "n1");
        gateway("gw1", 2);      // a gateway that already applied epoch 2
        gateway("stuck", 1);    // one that never catches up (cut off from ZooKeeper, session not yet expired)
        NodeConnection plain = n.plain("gw1");

        store.update(m -> m.handAuthorityTo("n1"));
        await().atMost(Duration.ofSeconds(20)).until(() -> n.driver.inAuthorityGrace());
        CompletableFuture<Message.Reply> held = mkdir(plain, "/d");
        await().atMost(Duration.ofSeconds(20)).until(() -> n.driver.queued().join() > 0 || held.isDone());
        assertThat(held).as("the mutation waits for the grace").isNotDone();
        assertThat(dir.resolve("export/d")).doesNotExist();

        assertThat(held.get(20, TimeUnit.SECONDS).ok()).isTrue();
        assertThat(dir.resolve("export/d")).isDirectory();
        assertThat(graces(n, "timeout")).isEqualTo(1);
        assertThat(graces(n, "gateways")).isZero();
        assertThat(lastGraceSeconds(n)).as("a timeout ends the grace exactly L after it began").isEqualTo(1.0);
    }

    @Test
    void theFirstMapStartsNoGraceAndAnOldAuthorityRefusesRenewAndAcquireWithStaleEpoch() throws Exception {
        LeaseNode n = node(Duration.ofSeconds(10), "n1", "n2");
        gateway("gw1", 1);
        LeaseNode.Client c = n.client("gw1");
        assertThat(n.driver.inAuthorityGrace()).isFalse();
        assertThat(c.connection.acquire("/a", LockMode.SHARED, LockScope.OBJECT).block(Duration.ofSeconds(10)))
                .as("granted at once: the first map starts no grace").isNotNull();
        assertThat(c.connection.renew().block(Duration.ofSeconds(10)).count()).isEqualTo(1);

        store.update(m -> m.handAuthorityTo("n2"));
        await().atMost(Duration.ofSeconds(20)).until(() -> !n.driver.authority());

        assertThatThrownBy(() -> c.connection.renew().block(Duration.ofSeconds(10)))
                .isInstanceOfSatisfying(NodeException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.STALE_EPOCH));
        assertThat(c.events).containsExactly("renew refused STALE_EPOCH");
        assertThatThrownBy(() -> c.connection.acquire("/b", LockMode.SHARED, LockScope.OBJECT).block(Duration.ofSeconds(10)))
                .isInstanceOfSatisfying(NodeException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.STALE_EPOCH));
        assertThat(n.driver.inAuthorityGrace()).as("losing the authority starts no grace").isFalse();
        // Mutations still run on a replica that is not the authority.
        assertThat(mkdir(n.plain("gw2"), "/m").get(20, TimeUnit.SECONDS).ok()).isTrue();
    }
}
