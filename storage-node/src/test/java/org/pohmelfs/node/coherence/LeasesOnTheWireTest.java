package org.pohmelfs.node.coherence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pohmelfs.client.ClientLease;
import org.pohmelfs.client.NodeConnection;
import org.pohmelfs.client.NodeException;
import org.pohmelfs.coherence.Lease;
import org.pohmelfs.coherence.LockMode;
import org.pohmelfs.coherence.LockScope;
import org.pohmelfs.coherence.RecallKind;
import org.pohmelfs.protocol.Command;
import org.pohmelfs.protocol.ErrorCode;
import org.pohmelfs.protocol.Message;
import org.pohmelfs.protocol.Result;
import reactor.core.publisher.Mono;

/**
 * Leases end to end: a real node (store, server, lease driver checking the table's invariants
 * after every step) and real client connections over loopback TCP. Lease duration 1 s; every
 * wait is generous, and the only timing assertions are the ones leases define (nothing is
 * granted before a lease ran out when it must run out).
 */
class LeasesOnTheWireTest {
    static final Duration L = Duration.ofSeconds(1);
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

    private LeaseNode node() throws Exception {
        node = new LeaseNode(export, L, true);
        return node;
    }

    private static ClientLease acquire(LeaseNode.Client c, String path, LockMode mode, LockScope scope) {
        return c.connection.acquire(path, mode, scope).block(PATIENCE);
    }

    private static CompletableFuture<ClientLease> acquireLater(LeaseNode.Client c, String path, LockMode mode,
                                                               LockScope scope) {
        return c.connection.acquire(path, mode, scope).toFuture();
    }

    private static Message.Reply run(NodeConnection c, Command... commands) throws Exception {
        return c.execute(commands).get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
    }

    private static Command write(String path, String text) {
        return new Command.Write(path, 0, ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)), true);
    }

    private List<Lease> leases() {
        return node.driver.leases().join();
    }

    @Test
    void sharedLeasesCoexistAndAGrantDoublesAsAStat() throws Exception {
        node();
        run(node.plain("tool"), write("/f", "hello"));
        LeaseNode.Client a = node.client("gw-a");
        LeaseNode.Client b = node.client("gw-b");
        ClientLease la = acquire(a, "/f", LockMode.SHARED, LockScope.OBJECT);
        ClientLease lb = acquire(b, "/f", LockMode.SHARED, LockScope.OBJECT);
        assertThat(la.attr()).hasValueSatisfying(attr -> assertThat(attr.size()).isEqualTo(5));
        assertThat(lb.mode()).isEqualTo(LockMode.SHARED);
        assertThat(la.leaseId()).isNotEqualTo(lb.leaseId());
        assertThat(la.durationNanos()).isPositive().isLessThanOrEqualTo(L.toNanos());
        assertThat(la.deadlineNanos()).isLessThan(la.sentAtNanos() + la.durationNanos());
        assertThat(acquire(a, "/missing", LockMode.SHARED, LockScope.OBJECT).attr()).isEmpty();
        assertThat(a.recalls).isEmpty();
        assertThat(b.recalls).isEmpty();
        assertThat(leases()).hasSize(3);
    }

    @Test
    void exclusiveRecallsEveryShareHolderAndIsGrantedAfterTheirAcks() throws Exception {
        node();
        LeaseNode.Client a = node.client("gw-a");
        LeaseNode.Client b = node.client("gw-b");
        LeaseNode.Client w = node.client("gw-w");
        ClientLease la = acquire(a, "/f", LockMode.SHARED, LockScope.OBJECT);
        ClientLease lb = acquire(b, "/f", LockMode.SHARED, LockScope.OBJECT);
        CompletableFuture<ClientLease> lw = acquireLater(w, "/f", LockMode.EXCLUSIVE, LockScope.OBJECT);
        ClientLease granted = lw.get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
        assertThat(granted.mode()).isEqualTo(LockMode.EXCLUSIVE);
        assertThat(a.recalls).singleElement().satisfies(r -> {
            assertThat(r.kind()).isEqualTo(RecallKind.TO_NOTHING);
            assertThat(r.leaseId()).isEqualTo(la.leaseId());
            assertThat(r.path()).isEqualTo("/f");
        });
        assertThat(b.recalls).singleElement().satisfies(r -> assertThat(r.leaseId()).isEqualTo(lb.leaseId()));
        assertThat(leases()).singleElement().satisfies(l -> assertThat(l.mode()).isEqualTo(LockMode.EXCLUSIVE));
        assertThat(node.registry.get("pohmelfs.node.leases.recalls").tag("kind", "recall_exclusive").counter()
                .count()).isEqualTo(2);
        assertThat(node.registry.get("pohmelfs.node.leases.granted").counter().count()).isEqualTo(3);
        assertThat(node.registry.get("pohmelfs.node.leases.acks").tag("result", "ok").counter().count()).isEqualTo(2);
        assertThat(node.registry.get("pohmelfs.node.requests").tag("command", "acquire").timers()).isNotEmpty();
        assertThat(node.registry.get("pohmelfs.node.leases.held").tag("mode", "exclusive").gauge().value())
                .isEqualTo(1);
    }

    @Test
    void sharedRecallsAnExclusiveHolderToShared() throws Exception {
        node();
        LeaseNode.Client x = node.client("gw-x");
        LeaseNode.Client r = node.client("gw-r");
        ClientLease lx = acquire(x, "/f", LockMode.EXCLUSIVE, LockScope.OBJECT);
        ClientLease lr = acquire(r, "/f", LockMode.SHARED, LockScope.OBJECT);
        assertThat(lr.mode()).isEqualTo(LockMode.SHARED);
        assertThat(x.recalls).singleElement().satisfies(rc -> {
            assertThat(rc.kind()).isEqualTo(RecallKind.TO_SHARED);
            assertThat(rc.leaseId()).isEqualTo(lx.leaseId());
        });
        assertThat(leases()).hasSize(2).allSatisfy(l -> assertThat(l.mode()).isEqualTo(LockMode.SHARED));
    }

    @Test
    void subtreeExclusiveRecallsDescendantsOnly() throws Exception {
        node();
        LeaseNode.Client a = node.client("gw-a");
        acquire(a, "/d/x", LockMode.SHARED, LockScope.OBJECT);
        acquire(a, "/d/y/z", LockMode.EXCLUSIVE, LockScope.OBJECT);
        acquire(a, "/e/x", LockMode.SHARED, LockScope.OBJECT);
        acquire(a, "/d", LockMode.SHARED, LockScope.OBJECT);
        LeaseNode.Client w = node.client("gw-w");
        acquire(w, "/d", LockMode.EXCLUSIVE, LockScope.SUBTREE);
        assertThat(a.recalls).extracting(r -> r.path()).containsExactlyInAnyOrder("/d", "/d/x", "/d/y/z");
        assertThat(leases()).extracting(l -> l.path().toString()).containsExactlyInAnyOrder("/d", "/e/x");
    }

    @Test
    void aHolderThatNeverAcknowledgesLosesItsLeaseAtExpiryAndTheWaiterProceeds() throws Exception {
        node();
        LeaseNode.Client deaf = node.client("gw-deaf", r -> Mono.never());
        ClientLease held = acquire(deaf, "/f", LockMode.EXCLUSIVE, LockScope.OBJECT);
        LeaseNode.Client w = node.client("gw-w");
        ClientLease granted = acquire(w, "/f", LockMode.EXCLUSIVE, LockScope.OBJECT);
        long receivedAt = System.nanoTime();
        assertThat(deaf.recalls).hasSize(1);
        // The deaf holder kept renewing (automatic RENEW); a recalled lease is not renewed, so it
        // ran out one lease duration after its grant or last renewal at the latest.
        assertThat(receivedAt - held.sentAtNanos()).isGreaterThanOrEqualTo(L.toNanos());
        assertThat(granted.mode()).isEqualTo(LockMode.EXCLUSIVE);
        assertThat(node.registry.get("pohmelfs.node.leases.expired").counter().count()).isGreaterThanOrEqualTo(1);
    }

    @Test
    void aClosedConnectionsLeasesRunOutAfterTheLeaseDurationNotBefore() throws Exception {
        node();
        LeaseNode.Client gone = node.client("gw-gone");
        ClientLease held = acquire(gone, "/f", LockMode.EXCLUSIVE, LockScope.OBJECT);
        gone.connection.close();
        LeaseNode.Client w = node.client("gw-w");
        acquire(w, "/f", LockMode.SHARED, LockScope.OBJECT);
        assertThat(System.nanoTime() - held.sentAtNanos()).isGreaterThanOrEqualTo(L.toNanos());
    }

    @Test
    void aQueuedAcquireOfALostConnectionIsRefused() throws Exception {
        node();
        LeaseNode.Client deaf = node.client("gw-deaf", r -> Mono.never());
        acquire(deaf, "/f", LockMode.EXCLUSIVE, LockScope.OBJECT);
        LeaseNode.Client w = node.client("gw-w");
        CompletableFuture<ClientLease> queued = acquireLater(w, "/f", LockMode.EXCLUSIVE, LockScope.OBJECT);
        CompletableFuture<ClientLease> twice = acquireLater(w, "/f", LockMode.SHARED, LockScope.OBJECT);
        assertThat(twice).failsWithin(PATIENCE).withThrowableThat().havingCause()
                .isInstanceOfSatisfying(NodeException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.ALREADY_PENDING));
        w.connection.close();
        assertThat(queued).failsWithin(PATIENCE);
    }

    /**
     * A caller gives up an ACQUIRE (its own timeout cancels the Mono) that the node grants later,
     * once the deaf holder's lease ran out. The connection keeps renewing (it holds another lease),
     * so a grant it did not give back would live as long as the connection: it must release it.
     */
    @Test
    void aGrantThatArrivesAfterTheCallerGaveUpIsReleased() throws Exception {
        node();
        LeaseNode.Client deaf = node.client("gw-deaf", r -> Mono.never());
        acquire(deaf, "/f", LockMode.EXCLUSIVE, LockScope.OBJECT);
        LeaseNode.Client w = node.client("gw-w");
        acquire(w, "/other", LockMode.SHARED, LockScope.OBJECT);
        assertThat(w.connection.acquire("/f", LockMode.EXCLUSIVE, LockScope.OBJECT).timeout(Duration.ofMillis(100))
                .onErrorResume(java.util.concurrent.TimeoutException.class, e -> Mono.empty()).block(PATIENCE)).isNull();
        await().atMost(PATIENCE).until(() -> w.connection.lateGrantsReleased() == 1);
        await().atMost(PATIENCE).until(() -> leases().stream().noneMatch(l -> l.path().toString().equals("/f")));
        assertThat(leases()).extracting(l -> l.path().toString()).containsExactly("/other");
        // The connection stays usable for that path.
        assertThat(acquire(w, "/f", LockMode.SHARED, LockScope.OBJECT).mode()).isEqualTo(LockMode.SHARED);
    }

    /** The same when the connection's request timeout, not the caller, gave the ACQUIRE up. */
    @Test
    void aGrantThatArrivesAfterTheRequestTimedOutIsReleased() throws Exception {
        node();
        LeaseNode.Client deaf = node.client("gw-deaf", r -> Mono.never());
        acquire(deaf, "/f", LockMode.EXCLUSIVE, LockScope.OBJECT);
        LeaseNode.Client w = node.client(new org.pohmelfs.client.NodeClient(org.pohmelfs.client.ClientSettings
                .defaults("gw-w", "test").withRequestTimeout(Duration.ofMillis(300))), new LeaseNode.Client("gw-w", r -> Mono.empty()));
        acquire(w, "/other", LockMode.SHARED, LockScope.OBJECT);
        assertThat(acquireLater(w, "/f", LockMode.EXCLUSIVE, LockScope.OBJECT)).failsWithin(PATIENCE)
                .withThrowableThat().havingCause().isInstanceOf(NodeException.Timeout.class);
        await().atMost(PATIENCE).until(() -> w.connection.lateGrantsReleased() == 1);
        await().atMost(PATIENCE).until(() -> leases().stream().noneMatch(l -> l.path().toString().equals("/f")));
        assertThat(leases()).extracting(l -> l.path().toString()).containsExactly("/other");
    }

    @Test
    void renewalKeepsALeaseForManyLeaseDurations() throws Exception {
        node();
        LeaseNode.Client a = node.client("gw-a");
        ClientLease held = acquire(a, "/f", LockMode.SHARED, LockScope.OBJECT);
        await().atMost(PATIENCE).until(() -> a.renewals.size() >= 4);
        assertThat(leases()).singleElement().satisfies(l -> assertThat(l.leaseId()).isEqualTo(held.leaseId()));
        Result.Renewed r = a.connection.renew().block(PATIENCE);
        assertThat(r.count()).isEqualTo(1);
        assertThat(r.durationNanos()).isEqualTo(L.toNanos());
    }

    @Test
    void theNodeGrantsNothingDuringTheGracePeriodAfterItStarts() throws Exception {
        long before = System.nanoTime();
        node = new LeaseNode(export, L, false);
        LeaseNode.Client a = node.client("gw-a");
        acquire(a, "/f", LockMode.SHARED, LockScope.OBJECT);
        assertThat(System.nanoTime() - before).isGreaterThanOrEqualTo(L.toNanos());
    }

    @Test
    void theClientHearsOfALostConnectionAndOfANodeRestart() throws Exception {
        node();
        org.pohmelfs.client.NodeClient process = new org.pohmelfs.client.NodeClient(
                org.pohmelfs.client.ClientSettings.defaults("gw-a", "test"));
        LeaseNode.Client first = node.client(process, new LeaseNode.Client("gw-a", r -> Mono.empty()));
        acquire(first, "/f", LockMode.SHARED, LockScope.OBJECT);
        node.close();
        await().atMost(PATIENCE).until(() -> first.events.contains("lost"));
        long restart = System.nanoTime();
        node = new LeaseNode(export, L, false);
        LeaseNode.Client second = node.client(process, new LeaseNode.Client("gw-a", r -> Mono.empty()));
        assertThat(second.events).containsExactly("restarted n1");
        acquire(second, "/f", LockMode.SHARED, LockScope.OBJECT);
        assertThat(System.nanoTime() - restart).isGreaterThanOrEqualTo(L.toNanos());
    }

    @Test
    void aMutationFromALeaselessConnectionRecallsTheHoldersBeforeItIsApplied() throws Exception {
        node();
        NodeConnection tool = node.plain("tool");
        run(tool, new Command.Mkdir("/dir", false, 0755), write("/dir/f", "old"));
        NodeConnection observer = node.plain("observer");
        List<String> seenAtRecall = new CopyOnWriteArrayList<>();
        LeaseNode.Client a = node.client("gw-a", recall -> Mono.fromFuture(observer.execute(
                new Command.Read("/dir/f", 0, 100))).doOnNext(reply -> seenAtRecall.add(recall.path() + "=" + text(reply)))
                .then());
        acquire(a, "/dir", LockMode.SHARED, LockScope.OBJECT);
        acquire(a, "/dir/f", LockMode.SHARED, LockScope.OBJECT);
        acquire(a, "/other", LockMode.SHARED, LockScope.OBJECT);
        assertThat(run(tool, write("/dir/f", "new")).ok()).isTrue();
        assertThat(seenAtRecall).containsExactlyInAnyOrder("/dir=old", "/dir/f=old");
        assertThat(text(run(observer, new Command.Read("/dir/f", 0, 100)))).isEqualTo("new");
        // A create and a delete recall the parent's listing lease as well.
        acquire(a, "/dir", LockMode.SHARED, LockScope.OBJECT);
        seenAtRecall.clear();
        assertThat(run(tool, new Command.Delete("/dir/f", false)).ok()).isTrue();
        assertThat(seenAtRecall).containsExactly("/dir=new"); // the file still exists when the parent is recalled
        assertThat(leases()).extracting(l -> l.path().toString()).containsExactly("/other");
    }

    /**
     * Design §3.4: a change takes INTENT on every ancestor. A cached listing (S) of each ancestor
     * is recalled, seeing the old version, before the change is visible; a cached sibling, a
     * sibling folder and an unrelated folder are not; reads recall nothing.
     */
    @Test
    void aChangeDeepBelowRecallsEveryCachedAncestorAndNoSibling() throws Exception {
        node();
        NodeConnection tool = node.plain("tool");
        assertThat(run(tool, new Command.Mkdir("/d/e", true, 0755), write("/d/e/f", "old"), write("/d/g", "g"),
                new Command.Mkdir("/d/h", false, 0755), new Command.Mkdir("/x", false, 0755)).ok()).isTrue();
        NodeConnection observer = node.plain("observer");
        List<String> seenAtRecall = new CopyOnWriteArrayList<>();
        LeaseNode.Client a = node.client("gw-a", recall -> Mono.fromFuture(observer.execute(new Command.Stat(recall.path())))
                .doOnNext(reply -> seenAtRecall.add(recall.path() + "=" + version(reply))).then());
        List<String> cached = List.of("/", "/d", "/d/e", "/d/g", "/d/h", "/x");
        java.util.Map<String, Long> before = new java.util.TreeMap<>();
        for (String p : cached) {
            before.put(p, acquire(a, p, LockMode.SHARED, LockScope.OBJECT).attr().orElseThrow().version());
        }
        assertThat(run(tool, new Command.Read("/d/e/f", 0, 10), new Command.List("/d", "", 10),
                new Command.Stat("/d/g")).ok()).isTrue();
        assertThat(a.recalls).as("reads recall nothing").isEmpty();

        // An overwrite (no create: the listing of /d/e keeps its names) still changes every
        // ancestor's version, so each cached ancestor is recalled, and sees the old state.
        assertThat(run(tool, new Command.Write("/d/e/f", 0, ByteBuffer.wrap("new".getBytes(StandardCharsets.UTF_8)),
                false)).ok()).isTrue();
        assertThat(seenAtRecall).containsExactlyInAnyOrder("/=" + before.get("/"), "/d=" + before.get("/d"),
                "/d/e=" + before.get("/d/e"));
        assertThat(leases()).extracting(l -> l.path().toString()).containsExactlyInAnyOrder("/d/g", "/d/h", "/x");
        for (String p : List.of("/", "/d", "/d/e")) {
            assertThat(version(run(observer, new Command.Stat(p)))).as(p).isNotEqualTo(before.get(p));
        }
        for (String p : List.of("/d/g", "/d/h", "/x")) {
            assertThat(version(run(observer, new Command.Stat(p)))).as(p).isEqualTo(before.get(p));
        }

        // A create in the sibling folder: recalls it (its listing changes) and the re-cached
        // ancestors, not the sibling file or the unrelated folder.
        acquire(a, "/", LockMode.SHARED, LockScope.OBJECT);
        acquire(a, "/d", LockMode.SHARED, LockScope.OBJECT);
        a.recalls.clear();
        assertThat(run(tool, write("/d/h/new", "n")).ok()).isTrue();
        assertThat(a.recalls).extracting(r -> r.path()).containsExactlyInAnyOrder("/", "/d", "/d/h");
        assertThat(leases()).extracting(l -> l.path().toString()).containsExactlyInAnyOrder("/d/g", "/x");
    }

    @Test
    void aHoldersOwnMutationsDoNotRecallItsLeases() throws Exception {
        node();
        LeaseNode.Client a = node.client("gw-a");
        acquire(a, "/", LockMode.SHARED, LockScope.OBJECT);
        acquire(a, "/f", LockMode.EXCLUSIVE, LockScope.OBJECT);
        assertThat(run(a.connection, write("/f", "mine"), new Command.Truncate("/f", 2)).ok()).isTrue();
        assertThat(a.recalls).isEmpty();
        assertThat(leases()).hasSize(2);
    }

    @Test
    void aHolderFlushingOnRecallIsNotBlockedByTheWriterThatRecalledIt() throws Exception {
        node();
        NodeConnection tool = node.plain("tool");
        run(tool, write("/f", "base"));
        LeaseNode.Client[] holder = new LeaseNode.Client[1];
        // The flush overwrites the existing file (no create), so it needs only the X lease it holds.
        holder[0] = node.client("gw-a", recall -> Mono.fromFuture(holder[0].connection.execute(new Command.Write("/f", 0,
                ByteBuffer.wrap("dirty".getBytes(StandardCharsets.UTF_8)), false))).then());
        acquire(holder[0], "/f", LockMode.EXCLUSIVE, LockScope.OBJECT);
        assertThat(run(tool, write("/f", "tool")).ok()).isTrue();
        // The flush ("dirty" at 0) landed before the tool's write ("tool" at 0), not after it once
        // the lease ran out (that would read "dirty").
        assertThat(text(run(tool, new Command.Read("/f", 0, 100)))).isEqualTo("tooly");
        assertThat(holder[0].recalls).hasSize(1);
    }

    @Test
    void leaseCommandsTravelAloneAndNeedTheFeatures() throws Exception {
        node();
        NodeConnection tool = node.plain("tool");
        assertThat(run(tool, new Command.Acquire("/f", false, false)).firstError().code())
                .isEqualTo(ErrorCode.UNSUPPORTED);
        LeaseNode.Client a = node.client("gw-a");
        Message.Reply mixed = run(a.connection, new Command.Acquire("/f", false, false), new Command.Stat("/"));
        assertThat(mixed.results()).extracting(r -> ((Result.Error) r).code())
                .containsExactly(ErrorCode.INVALID_ARGUMENT, ErrorCode.ABORTED);
        assertThat(run(a.connection, new Command.Acquire("/a/../b", false, false)).firstError().code())
                .isEqualTo(ErrorCode.INVALID_PATH);
    }

    /**
     * Four caching connections and a lease-less writer hammer overlapping paths (object and
     * subtree, S and X); the driver checks the table's invariants after every step. Every
     * acquire is granted in the end, and every recall names a lease the holder was granted.
     */
    @Test
    void concurrentAcquiresOnOverlappingPathsStaySafeAndLive() throws Exception {
        node();
        List<String> paths = List.of("/a", "/a/b", "/a/b/c", "/a/d", "/e");
        List<LeaseNode.Client> clients = new java.util.ArrayList<>();
        for (int i = 0; i < 4; i++) {
            clients.add(node.client("gw-" + i));
        }
        NodeConnection writer = node.plain("writer");
        java.util.Random random = new java.util.Random(42);
        List<CompletableFuture<?>> all = new java.util.ArrayList<>();
        for (int round = 0; round < 60; round++) {
            LeaseNode.Client c = clients.get(random.nextInt(clients.size()));
            String path = paths.get(random.nextInt(paths.size()));
            LockMode mode = random.nextBoolean() ? LockMode.SHARED : LockMode.EXCLUSIVE;
            LockScope scope = random.nextInt(4) == 0 ? LockScope.SUBTREE : LockScope.OBJECT;
            all.add(c.connection.acquire(path, mode, scope)
                    .onErrorResume(NodeException.class, e -> e.code() == ErrorCode.ALREADY_PENDING ? Mono.empty()
                            : Mono.error(e))
                    .then(random.nextBoolean() ? c.connection.release(path) : Mono.empty())
                    .toFuture());
            if (round % 10 == 0) {
                all.add(writer.execute(new Command.Mkdir("/a/b", true, 0755), write("/a/b/c", "r" + round)));
            }
        }
        CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
        assertThat(node.driver.failure()).isNull();
        for (CompletableFuture<?> f : all) {
            if (f.join() instanceof Message.Reply r) {
                assertThat(r.ok()).isTrue();
            }
        }
    }

    private static long version(Message.Reply reply) {
        return ((Result.Attrs) reply.results().getFirst()).attr().version();
    }

    private static String text(Message.Reply reply) {
        if (reply.results().getFirst() instanceof Result.Data d) {
            return StandardCharsets.UTF_8.decode(d.data()).toString();
        }
        return String.valueOf(reply.results().getFirst());
    }
}
