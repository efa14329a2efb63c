package org.pohmelfs.node.coherence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pohmelfs.client.ClientLease;
import org.pohmelfs.client.NodeConnection;
import org.pohmelfs.coherence.Lease;
import org.pohmelfs.coherence.LockMode;
import org.pohmelfs.coherence.LockScope;
import org.pohmelfs.protocol.Command;
import org.pohmelfs.protocol.ErrorCode;
import org.pohmelfs.protocol.Message;
import org.pohmelfs.protocol.Opcodes;
import org.pohmelfs.protocol.Result;

/**
 * HOLD and UNHOLD end to end (protocol §4.8.2, design.md §4.7): a real node with its lease
 * driver (invariants checked after every step) and real connections on loopback. The writer is
 * a plain connection (as a gateway's write link); the reader holds leases. "Waits" is shown by
 * the driver's state, never by a timeout: the reader's ACQUIRE has recalled the held lock (so it
 * is queued behind it) and is not granted while the lock is there.
 */
class HoldOnTheWireTest {
    static final Duration PATIENCE = Duration.ofSeconds(15);

    @TempDir
    Path export;

    LeaseNode node;

    @AfterEach
    void close() throws Exception {
        if (node != null) {
            assertThat(node.driver.failure()).isNull();
            node.close();
        }
    }

    private LeaseNode node(Duration lease, boolean holds) throws Exception {
        node = new LeaseNode(export, lease, true, true, true, holds);
        return node;
    }

    private static Message.Reply run(NodeConnection c, Command... commands) throws Exception {
        return c.execute(commands).get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
    }

    private static Message.Reply send(NodeConnection c, long txid, Command... commands) throws Exception {
        return c.send(new Message.Request(txid, 0, List.of(commands))).get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
    }

    private static Command write(String path, String text) {
        return new Command.Write(path, 0, ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)), true);
    }

    private List<Lease> transientLocksOn(String path) {
        return node.driver.leases().join().stream()
                .filter(l -> l.holder().contains("#m") && l.path().toString().equals(path)).toList();
    }

    /** Starts the reader's shared ACQUIRE of {@code path} and waits until it has recalled the held lock. */
    private CompletableFuture<ClientLease> readerQueuedBehindTheHold(LeaseNode.Client reader, String path) {
        CompletableFuture<ClientLease> grant = reader.connection.acquire(path, LockMode.SHARED, LockScope.OBJECT).toFuture();
        await().atMost(PATIENCE).until(() -> transientLocksOn(path).stream().anyMatch(l -> l.recalled().isPresent()));
        assertThat(grant).isNotDone();
        return grant;
    }

    @Test
    void aHeldWriteKeepsItsLockUntilUnhold() throws Exception {
        node(Duration.ofSeconds(30), true);
        NodeConnection writer = node.plain("gw");
        assertThat(writer.holds()).isTrue();
        LeaseNode.Client reader = node.client("reader");

        long txid = writer.newTxid();
        Message.Reply reply = send(writer, txid, new Command.Hold(), write("/f", "held"));
        assertThat(reply.ok()).isTrue();
        assertThat(reply.results()).hasSize(2);
        assertThat(reply.results().getFirst()).isInstanceOf(Result.Ok.class);
        assertThat(reply.results().get(1)).isInstanceOf(Result.Attrs.class);
        assertThat(Files.readString(export.resolve("f"))).isEqualTo("held"); // committed, only its lock stays
        assertThat(node.driver.holds().join()).hasSize(1);

        CompletableFuture<ClientLease> grant = readerQueuedBehindTheHold(reader, "/f");
        // Another connection's UNHOLD of the txid releases nothing: holds belong to their connection.
        NodeConnection other = node.plain("gw");
        assertThat(run(other, new Command.Unhold(txid)).ok()).isTrue();
        assertThat(node.driver.holds().join()).hasSize(1);
        assertThat(grant).isNotDone();

        assertThat(run(writer, new Command.Unhold(txid)).ok()).isTrue();
        ClientLease lease = grant.get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
        assertThat(lease.mode()).isEqualTo(LockMode.SHARED);
        assertThat(node.driver.holds().join()).isEmpty();
        // UNHOLD of what is no longer held (or never was) is OK too.
        assertThat(run(writer, new Command.Unhold(txid)).ok()).isTrue();
        assertThat(run(writer, new Command.Unhold(424242)).ok()).isTrue();
        assertThat(node.registry.counter("pohmelfs.node.holds.taken").count()).isEqualTo(1);
        assertThat(node.registry.counter("pohmelfs.node.holds.ended", "by", "unhold").count()).isEqualTo(1);
    }

    @Test
    void closingTheConnectionEndsTheHold() throws Exception {
        node(Duration.ofSeconds(30), true);
        NodeConnection writer = node.plain("gw");
        LeaseNode.Client reader = node.client("reader");
        assertThat(send(writer, writer.newTxid(), new Command.Hold(), new Command.Mkdir("/d", false, 0755)).ok()).isTrue();
        CompletableFuture<ClientLease> grant = readerQueuedBehindTheHold(reader, "/d");

        writer.close(); // no cluster map: nothing to forward to, the locks go
        assertThat(grant.get(PATIENCE.toSeconds(), TimeUnit.SECONDS).path()).isEqualTo("/d");
        assertThat(node.driver.holds().join()).isEmpty();
        assertThat(node.registry.counter("pohmelfs.node.holds.ended", "by", "closed").count()).isEqualTo(1);
    }

    @Test
    void aHoldEndsByItselfAfterOneLeaseDuration() throws Exception {
        node(Duration.ofSeconds(1), true);
        NodeConnection writer = node.plain("gw");
        LeaseNode.Client reader = node.client("reader");
        assertThat(send(writer, writer.newTxid(), new Command.Hold(), write("/e", "x")).ok()).isTrue();
        CompletableFuture<ClientLease> grant = readerQueuedBehindTheHold(reader, "/e");

        // Neither UNHOLD nor a close: the hold expires after L (1 s) and the reader is granted.
        assertThat(grant.get(PATIENCE.toSeconds(), TimeUnit.SECONDS).path()).isEqualTo("/e");
        assertThat(writer.isOpen()).isTrue();
        assertThat(node.registry.counter("pohmelfs.node.holds.ended", "by", "expired").count()).isEqualTo(1);
    }

    @Test
    void holdAnywhereButFirstOrWithoutAMutationIsRefusedAndNothingIsApplied() throws Exception {
        node(Duration.ofSeconds(30), true);
        NodeConnection writer = node.plain("gw");

        Message.Reply late = run(writer, write("/g", "x"), new Command.Hold());
        assertThat(late.results()).extracting(HoldOnTheWireTest::code)
                .containsExactly(ErrorCode.ABORTED, ErrorCode.INVALID_ARGUMENT);
        Message.Reply twice = run(writer, new Command.Hold(), new Command.Hold(), write("/g", "x"));
        assertThat(twice.firstError().code()).isEqualTo(ErrorCode.INVALID_ARGUMENT);
        Message.Reply readOnly = run(writer, new Command.Hold(), new Command.Stat("/"));
        assertThat(readOnly.results()).extracting(HoldOnTheWireTest::code)
                .containsExactly(ErrorCode.INVALID_ARGUMENT, ErrorCode.ABORTED);
        Message.Reply unholdWithCompany = run(writer, new Command.Unhold(1), new Command.Mkdir("/u", false, 0755));
        assertThat(unholdWithCompany.results()).extracting(HoldOnTheWireTest::code)
                .containsExactly(ErrorCode.INVALID_ARGUMENT, ErrorCode.ABORTED);

        assertThat(export.resolve("g")).doesNotExist();
        assertThat(export.resolve("u")).doesNotExist();
        assertThat(node.driver.holds().join()).isEmpty();
        assertThat(node.driver.leases().join()).isEmpty();
    }

    @Test
    void aFailedTransactionHoldsNothing() throws Exception {
        node(Duration.ofSeconds(30), true);
        NodeConnection writer = node.plain("gw");
        Message.Reply reply = run(writer, new Command.Hold(), new Command.Mkdir("/missing/d", false, 0755));
        assertThat(reply.results()).extracting(HoldOnTheWireTest::code)
                .containsExactly(ErrorCode.ABORTED, ErrorCode.NOT_FOUND);
        assertThat(node.driver.holds().join()).isEmpty();
        await().atMost(PATIENCE).until(() -> node.driver.leases().join().isEmpty());
    }

    @Test
    void aResendAnsweredFromTheReplyCacheHoldsNothingNew() throws Exception {
        node(Duration.ofSeconds(30), true);
        NodeConnection writer = node.plain("gw");
        long txid = writer.newTxid();
        Message.Reply first = send(writer, txid, new Command.Hold(), write("/r", "once"));
        assertThat(run(writer, new Command.Unhold(txid)).ok()).isTrue();
        assertThat(node.driver.holds().join()).isEmpty();

        Message.Reply again = send(writer, txid, new Command.Hold(), write("/r", "once"));
        assertThat(again.results()).isEqualTo(first.results());
        assertThat(node.driver.holds().join()).isEmpty();
        await().atMost(PATIENCE).until(() -> node.driver.leases().join().isEmpty());
        assertThat(node.registry.counter("pohmelfs.node.holds.taken").count()).isEqualTo(1);
    }

    @Test
    void aNodeWithoutTheFeatureRefusesUnholdAndTheClientDropsHold() throws Exception {
        node(Duration.ofSeconds(30), false);
        NodeConnection writer = node.plain("gw");
        assertThat(writer.welcome().features()).doesNotContain(Opcodes.FEATURE_HOLD);
        assertThat(writer.holds()).isFalse();

        // The client drops HOLD (Downgrade) and puts its result back: the write runs unheld.
        Message.Reply reply = run(writer, new Command.Hold(), write("/h", "plain"));
        assertThat(reply.results()).hasSize(2);
        assertThat(reply.ok()).isTrue();
        assertThat(node.driver.holds().join()).isEmpty();
        // UNHOLD is never dropped: the node answers it UNSUPPORTED.
        assertThat(run(writer, new Command.Unhold(1)).firstError().code()).isEqualTo(ErrorCode.UNSUPPORTED);
    }

    private static ErrorCode code(Result r) {
        return r instanceof Result.Error e ? e.code() : null;
    }
}
