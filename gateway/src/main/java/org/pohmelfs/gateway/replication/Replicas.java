package org.pohmelfs.gateway.replication;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.pohmelfs.client.NodeClient;
import org.pohmelfs.client.NodeConnection;
import org.pohmelfs.client.NodeException;
import org.pohmelfs.cluster.ClusterMap;
import org.pohmelfs.cluster.Member;
import org.pohmelfs.cluster.MemberState;
import org.pohmelfs.gateway.nodes.NodeLink;
import org.pohmelfs.placement.ReadBalancer;
import org.pohmelfs.placement.ReplyForm;
import org.pohmelfs.placement.WriteFanOut;
import org.pohmelfs.protocol.Command;
import org.pohmelfs.protocol.ErrorCode;
import org.pohmelfs.protocol.Message;
import org.pohmelfs.protocol.NodeInfo;
import org.pohmelfs.protocol.Result;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Schedulers;
import reactor.util.retry.Retry;

/**
 * The replica group as the gateway uses it (design.md §4.2-4.4): the cluster map from a
 * {@link MapSource}, one {@link NodeLink} per member of the write set (made and closed as the
 * map changes), the write fan-out with fencing, and the choice of node for reads.
 *
 * <p>Writes: one txid per transaction, sent with the map's epoch to every member of the write
 * set in parallel; per node, a lost connection or a BUSY reply is resent (same txid: the
 * node's reply cache answers a resend of an applied transaction) until that node's deadline,
 * after which the node counts as failed; a node that has refused connections for
 * {@code refusedFor} (no process listens: it was killed or is restarting) counts as failed at
 * once when the map can fence it, rather than at its deadline. {@link WriteFanOut} decides: the client gets the
 * reference result once every IN_SYNC member replied, after the ones that failed or disagreed
 * were fenced (compare-and-set of the map); a STALE_EPOCH reply makes the whole transaction go
 * again at the newest epoch. A source that cannot fence (a static node list) turns any failed
 * node into an error for the client.
 *
 * <p>Reads go to the lock authority (the node whose leases cover the gateway's cache), and to
 * another IN_SYNC node when it fails; a read whose reply the caller can check against a version
 * it already trusts ({@link #readChecked}) may go to any IN_SYNC node, chosen by
 * {@link ReadBalancer}, and goes to the authority when the check fails. A multi-chunk read
 * ({@link #chunkedRead}) places each chunk that way (split reads), or every chunk on one node
 * when {@code splitReads} is off.
 */
public final class Replicas implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Replicas.class);
    private static final Duration FIRST_RESEND = Duration.ofMillis(20);
    private static final Duration LONGEST_RESEND = Duration.ofMillis(200);
    /** Resends of a read to the same node after a lost connection, as before replication. */
    private static final int RESENDS = 3;

    /** Timeouts and bounds (see {@code GatewayProperties.Replication}). */
    public record Settings(Duration nodeTimeout, Duration authorityTimeout, Duration readTimeout, int maxMapChanges,
                           Duration unfencedTimeout, Duration refusedFor, boolean splitReads) {
    }

    /**
     * A member's link and the writes using it. A member that leaves the write set (removed, or
     * fenced) has its link retired: writes that started under a map with the member in it keep
     * it until they settle (their sends drain), then it closes; new requests never see it.
     */
    private static final class Held {
        final NodeLink link;
        /** Completes when the link closes: retired, and the last write using it settled. */
        final java.util.concurrent.CompletableFuture<Void> drained = new java.util.concurrent.CompletableFuture<>();
        private int users;
        private boolean retired;

        Held(NodeLink link) {
            this.link = link;
        }

        synchronized void acquire() {
            users++;
        }

        synchronized void release() {
            if (--users == 0 && retired) {
                link.close();
                drained.complete(null);
            }
        }

        synchronized void retire() {
            retired = true;
            if (users == 0) {
                link.close();
                drained.complete(null);
            }
        }
    }

    private record Link(Member member, Held held) {
        NodeLink link() {
            return held.link;
        }
    }

    private final MapSource source;
    private final NodeClient client;
    private final Settings settings;
    private final ReplicationMetrics metrics;
    private final Map<String, Link> links = new ConcurrentHashMap<>();
    /** The last retired link of each member that left the write set, until its writes drained. */
    private final Map<String, Held> retired = new ConcurrentHashMap<>();
    private final ReadBalancer balancer = new ReadBalancer(new SplittableRandom());
    private final List<Consumer<Member>> authorityListeners = new CopyOnWriteArrayList<>();
    private final List<Consumer<ClusterMap>> mapListeners = new CopyOnWriteArrayList<>();
    private volatile ClusterMap map;
    private volatile String authority;

    public Replicas(MapSource source, NodeClient client, Settings settings, io.micrometer.core.instrument.MeterRegistry registry) {
        this.source = source;
        this.client = client;
        this.settings = settings;
        this.metrics = new ReplicationMetrics(registry);
        source.listen(this::mapChanged);
    }

    public MapSource source() {
        return source;
    }

    /** The map in use, or empty while none is known. */
    public Optional<ClusterMap> map() {
        return Optional.ofNullable(map);
    }

    // ------------------------------------------------------------------ the map and the links

    private synchronized void mapChanged(ClusterMap next) {
        ClusterMap before = map;
        if (before != null && next.epoch() <= before.epoch()) {
            return;
        }
        Set<String> keep = new HashSet<>();
        for (Member m : next.writeSet()) {
            keep.add(m.id());
            links.compute(m.id(), (id, l) -> {
                if (l != null && l.member().address().equals(m.address())) {
                    return new Link(m, l.held());
                }
                if (l != null) {
                    retire(id, l.held());
                }
                return new Link(m, new Held(new NodeLink(new InetSocketAddress(m.host(), m.port()), client)));
            });
        }
        links.entrySet().removeIf(e -> {
            if (keep.contains(e.getKey())) {
                return false;
            }
            retire(e.getKey(), e.getValue().held());
            return true;
        });
        synchronized (balancer) {
            balancer.setReadSet(next.readSet().stream().map(Member::id).toList());
        }
        String was = authority;
        authority = next.authority();
        if (was != null && !was.equals(next.authority())) {
            log.warn("lock authority moves from {} to {} at epoch {}", was, next.authority(), next.epoch());
        }
        // The cache follows the authority before the new map is used: nothing cached under the old
        // authority's leases is served once a request can see the new map.
        if (was == null || !was.equals(next.authority())
                || before != null && !before.authorityMember().address().equals(next.authorityMember().address())) {
            Member a = next.authorityMember();
            authorityListeners.forEach(l -> l.accept(a));
        }
        map = next;
        metrics.map(next, source.wireEpoch(next));
        mapListeners.forEach(l -> l.accept(next));
        source.applied(next); // last: the authority listeners (the lease cache's move) have run
    }

    private void retire(String id, Held held) {
        retired.put(id, held);
        held.drained.thenRun(() -> retired.remove(id, held));
        held.retire();
    }

    /**
     * Completes when the writes this gateway sent to {@code nodeId} under a map that had it in
     * the write set have all settled (replied, or given up on at their deadlines), and its link
     * is closed; at once when it is in the write set or has nothing in flight.
     */
    public java.util.concurrent.CompletableFuture<Void> drained(String nodeId) {
        Held h = retired.get(nodeId);
        return h == null ? java.util.concurrent.CompletableFuture.completedFuture(null) : h.drained;
    }

    /** Calls {@code listener} with every later map this gateway starts using (after its links follow it). */
    public void onMap(Consumer<ClusterMap> listener) {
        mapListeners.add(listener);
    }

    /** A map and its write set's links, each acquired for one write (released as each send settles). */
    private record Targets(ClusterMap map, Map<String, Held> links) {
    }

    private synchronized Targets acquireTargets() {
        ClusterMap m = requireMap();
        Map<String, Held> out = new LinkedHashMap<>();
        for (Member member : m.writeSet()) {
            Link l = links.get(member.id());
            if (l != null) {
                l.held().acquire();
                out.put(member.id(), l.held());
            }
        }
        return new Targets(m, out);
    }

    /** Calls {@code listener} with the authority now (if a map is known) and every time it changes. */
    public void onAuthority(Consumer<Member> listener) {
        authorityListeners.add(listener);
        ClusterMap now = map;
        if (now != null) {
            listener.accept(now.authorityMember());
        }
    }

    private ClusterMap requireMap() {
        ClusterMap m = map;
        if (m == null) {
            throw new NodeException(ErrorCode.BUSY, "no cluster map yet");
        }
        return m;
    }

    private Link link(String id) {
        Link l = links.get(id);
        if (l == null) {
            throw new NodeException.ConnectionLost("no link to " + id + " (not in the write set)");
        }
        return l;
    }

    /** The link to the lock authority. */
    public Mono<NodeLink> authorityLink() {
        return Mono.fromCallable(() -> link(requireMap().authority()).link());
    }

    /** Links to every member of the write set now, by member id, in map order. */
    public Map<String, NodeLink> links() {
        Map<String, NodeLink> out = new LinkedHashMap<>();
        ClusterMap m = map;
        if (m != null) {
            for (Member member : m.writeSet()) {
                Link l = links.get(member.id());
                if (l != null) {
                    out.put(member.id(), l.link());
                }
            }
        }
        return out;
    }

    /** Whether the lock authority negotiated {@code feature}. */
    public Mono<Boolean> supports(String feature) {
        return authorityLink().flatMap(NodeLink::connection).map(c -> c.welcome().features().contains(feature));
    }

    // ------------------------------------------------------------------ writes

    /** Runs a mutating transaction on every member of the write set (see the class comment). */
    public Mono<Message.Reply> write(List<Command> commands) {
        return Mono.defer(() -> {
            long txid = client.newTxid();
            long start = System.nanoTime();
            // The authority whose copy of the transaction carried HOLD and committed (design.md §4.7).
            // (A STALE_EPOCH resend may meet another authority: each gets its UNHOLD.)
            Set<NodeLink> heldOn = ConcurrentHashMap.newKeySet();
            return attempt(txid, commands, 0, heldOn)
                    .doOnSuccess(r -> metrics.writeTook(Duration.ofNanos(System.nanoTime() - start)))
                    .doFinally(signal -> heldOn.forEach(link -> unhold(txid, link)));
        });
    }

    /**
     * UNHOLD of {@code txid} to the authority that held it, once the client has its answer: fire
     * and forget (a failure is logged and counted; the hold ends anyway when the connection closes
     * or after L, and the authority then forwards the write to the replicas that already have it).
     * Nothing is sent when the authority did not negotiate {@code hold} (it held nothing).
     */
    private void unhold(long txid, NodeLink link) {
        link.connection().filter(NodeConnection::holds).flatMap(c -> {
            metrics.held();
            ClusterMap m = map;
            return Mono.fromFuture(c.send(new Message.Request(c.newTxid(), m == null ? 0 : source.wireEpoch(m),
                    List.of(new Command.Unhold(txid)))), true);
        }).subscribe(reply -> {
            metrics.unheld(reply.ok());
            if (!reply.ok()) {
                log.debug("UNHOLD of transaction {} on {} refused: {}", txid, link, reply.firstError());
            }
        }, error -> {
            metrics.unheld(false);
            log.debug("UNHOLD of transaction {} on {} failed: {}", txid, link, error.toString());
        });
    }

    /**
     * Whether the authority's copy of {@code commands} carries HOLD: a transaction that mutates,
     * unless it is an unstable one (every mutation a WRITE_UNSTABLE, no COMMIT or SYNC: the chunks
     * of an upload into its private staging file). Those change nothing a reader can lease or see,
     * and the transaction that makes them visible (COMMIT, RENAME) is held; holding each chunk
     * would make the next pipelined chunk to the same file wait on the authority for the
     * previous one's UNHOLD, one fan-out round trip per chunk (design.md §4.7).
     */
    static boolean holds(List<Command> commands) {
        boolean mutates = false;
        boolean stable = false;
        for (Command c : commands) {
            if (c.mutates()) {
                mutates = true;
                stable |= !(c instanceof Command.Write w && w.unstable());
            } else if (c instanceof Command.Commit || c instanceof Command.Sync) {
                stable = true;
            }
        }
        return mutates && stable;
    }

    /**
     * The authority's copy of a mutating transaction: HOLD first (design.md §4.7). A node that did
     * not negotiate {@code hold} never sees it: the connection drops it and puts its result back.
     */
    private static List<Command> held(List<Command> commands) {
        List<Command> out = new java.util.ArrayList<>(commands.size() + 1);
        out.add(new Command.Hold());
        out.addAll(commands);
        return List.copyOf(out);
    }

    /**
     * The authority's reply without HOLD's result, so it reads as the other members' replies. When
     * HOLD itself was refused (its error is not ABORTED), that error stands for every command.
     */
    static Message.Reply unheld(Message.Reply reply, int commands) {
        if (reply.results().size() != commands + 1) {
            return reply;
        }
        Result first = reply.results().getFirst();
        List<Result> rest = reply.results().subList(1, reply.results().size());
        if (first instanceof Result.Error e && e.code() != ErrorCode.ABORTED) {
            rest = java.util.Collections.nCopies(commands, e);
        }
        return new Message.Reply(reply.txid(), List.copyOf(rest));
    }

    /** What one fan-out ends in. */
    private sealed interface Outcome {
        record Answer(Message.Reply reply) implements Outcome {
        }

        record Fence(Set<String> nodes, String reference, Message.Reply reply) implements Outcome {
        }

        record Stale() implements Outcome {
        }

        record Failed(Throwable cause) implements Outcome {
        }
    }

    private Mono<Message.Reply> attempt(long txid, List<Command> commands, int mapChanges,
                                        Set<NodeLink> heldOn) {
        return Mono.defer(() -> fanOut(txid, commands, acquireTargets(), heldOn)).flatMap(outcome -> switch (outcome) {
            case Outcome.Answer a -> Mono.just(a.reply());
            case Outcome.Failed f -> Mono.error(f.cause());
            case Outcome.Stale s -> {
                if (mapChanges >= settings.maxMapChanges()) {
                    yield Mono.error(new NodeException(ErrorCode.BUSY, "the cluster map kept changing under transaction "
                            + txid));
                }
                metrics.refresh();
                yield Mono.fromCallable(source::refresh).subscribeOn(Schedulers.boundedElastic())
                        .then(attempt(txid, commands, mapChanges + 1, heldOn));
            }
            case Outcome.Fence f -> {
                if (!source.canFence()) {
                    yield Mono.error(new NodeException(ErrorCode.BUSY, "transaction " + txid + " failed on "
                            + f.nodes() + " and a static node list cannot fence them"));
                }
                yield Mono.fromCallable(() -> source.fence(f.nodes())).subscribeOn(Schedulers.boundedElastic())
                        .flatMap(after -> {
                            metrics.fenced(f.nodes().size());
                            if (after.member(f.reference()).map(m -> m.state() == MemberState.IN_SYNC).orElse(false)) {
                                return Mono.just(f.reply());
                            }
                            // Someone fenced the reference meanwhile: only a resend can tell what the in-sync set has.
                            if (mapChanges >= settings.maxMapChanges()) {
                                return Mono.error(new NodeException(ErrorCode.BUSY, "the cluster map kept changing"));
                            }
                            return attempt(txid, commands, mapChanges + 1, heldOn);
                        });
            }
        });
    }

    /** Sends the request to the write set of {@code m} and waits for the fan-out's decision. */
    private Mono<Outcome> fanOut(long txid, List<Command> commands, Targets targets,
                                 Set<NodeLink> heldOn) {
        ClusterMap m = targets.map();
        Message.Request request = new Message.Request(txid, source.wireEpoch(m), commands);
        // The members are sent to in parallel, the authority's copy with HOLD: it keeps its locks
        // until UNHOLD, and forwards the write itself if this gateway dies before UNHOLD.
        boolean hold = holds(commands);
        Message.Request heldRequest = hold ? new Message.Request(txid, request.epoch(), held(commands)) : request;
        WriteFanOut<ReplyForm> fan = new WriteFanOut<>(m);
        Map<String, Message.Reply> replies = new ConcurrentHashMap<>();
        Map<String, Throwable> errors = new ConcurrentHashMap<>();
        Sinks.One<Outcome> done = Sinks.one();
        Object lock = new Object();
        boolean[] decided = {false};
        for (String id : fan.targets()) {
            // Without fencing, giving up early gains nothing (the answer is 503 either way): wait as long
            // as one request may take, as before replication.
            Duration timeout = !source.canFence() ? settings.unfencedTimeout()
                    : id.equals(m.authority()) ? settings.authorityTimeout() : settings.nodeTimeout();
            Held held = targets.links().get(id);
            boolean authority = hold && id.equals(m.authority());
            // Every reply goes through unheld, not only the authority's: a node that was the authority
            // when an earlier attempt of this transaction went out (before a STALE_EPOCH) took it with
            // HOLD, and while that attempt is still in flight the connection hands this attempt the same
            // reply (NodeConnection: one transaction in flight per txid), HOLD's result first. Compared as
            // it came, it would differ from the others' and get an IN_SYNC node fenced for nothing (seen
            // when the admin API moved the authority under load); and it holds: UNHOLD it too.
            Mono<Message.Reply> send = held == null
                    ? Mono.error(new NodeException.ConnectionLost("no link to " + id))
                    : sendUntilDeadline(id, held.link, authority ? heldRequest : request, timeout)
                            .doFinally(s -> held.release())
                            .map(r -> {
                                boolean wasHeld = hold && r.results().size() == commands.size() + 1;
                                if (r.ok() && (authority || wasHeld)) {
                                    heldOn.add(held.link);
                                }
                                return wasHeld ? unheld(r, commands.size()) : r;
                            });
            send.subscribe(reply -> {
                Outcome o;
                synchronized (lock) {
                    if (decided[0]) {
                        return;
                    }
                    Result.Error e = reply.firstError();
                    if (e != null && e.code() == ErrorCode.STALE_EPOCH) {
                        decided[0] = true;
                        o = new Outcome.Stale();
                    } else {
                        replies.put(id, reply);
                        o = decide(fan.replied(id, ReplyForm.of(reply, commands)), replies, errors, commands);
                        decided[0] = o != null;
                    }
                }
                if (o != null) {
                    done.tryEmitValue(o);
                }
            }, error -> {
                Outcome o;
                synchronized (lock) {
                    if (decided[0]) {
                        return;
                    }
                    log.debug("transaction {} failed on {}: {}", txid, id, error.toString());
                    errors.put(id, error);
                    o = decide(fan.failed(id, error.toString()), replies, errors, commands);
                    decided[0] = o != null;
                }
                if (o != null) {
                    done.tryEmitValue(o);
                }
            });
        }
        return done.asMono();
    }

    /** The outcome for a decision, or null while it is pending. */
    private Outcome decide(WriteFanOut.Decision<ReplyForm> d, Map<String, Message.Reply> replies,
                           Map<String, Throwable> errors, List<Command> commands) {
        return switch (d) {
            case WriteFanOut.Pending<ReplyForm> p -> null;
            case WriteFanOut.Ack<ReplyForm> a -> {
                for (String n : a.diverged()) {
                    metrics.diverged(n);
                    log.debug("{} (RESYNCING) replied {}, the reference {} from {}: left to its resync", n,
                            ReplyForm.of(replies.get(n), commands), a.reference(), a.referenceNode());
                }
                if (a.fenceFirst().isEmpty()) {
                    yield new Outcome.Answer(replies.get(a.referenceNode()));
                }
                // Why each is fenced, for the operator (a disagreement names both forms).
                for (String n : a.fenceFirst()) {
                    Message.Reply r = replies.get(n);
                    log.warn("fencing {}: {} (reference {} from {})", n,
                            r != null ? "its reply " + ReplyForm.of(r, commands) : "failed: " + errors.get(n),
                            a.reference(), a.referenceNode());
                }
                yield new Outcome.Fence(a.fenceFirst(), a.referenceNode(), replies.get(a.referenceNode()));
            }
            case WriteFanOut.Unavailable<ReplyForm> u -> new Outcome.Failed(errors.size() == 1
                    ? errors.values().iterator().next()
                    // Refused handshakes keep their kind: the client is told of a configuration fault.
                    : errors.values().stream().anyMatch(e -> e instanceof NodeException.HandshakeRefused)
                    ? new NodeException.HandshakeRefused("no in-sync node took the transaction: " + u.failures())
                    : new NodeException(ErrorCode.BUSY, "no in-sync node took the transaction: " + u.failures()));
        };
    }

    /**
     * One node's part of a write: sent, and sent again (same txid) after a lost connection or a
     * BUSY reply, until {@code timeout} has passed since the first send.
     */
    private Mono<Message.Reply> sendUntilDeadline(String id, NodeLink link, Message.Request request, Duration timeout) {
        return Mono.defer(() -> {
            // When this node first refused a connection during this write (0: it has not).
            long[] refusedSince = {0};
            boolean giveUpOnRefusal = source.canFence();
            return Mono.defer(() -> {
                        metrics.write(id);
                        return link.send(request);
                    })
                    .flatMap(r -> {
                        Result.Error e = r.firstError();
                        if (e != null && e.code() == ErrorCode.UNSTABLE_LOST) {
                            // The node restarted and may have lost unstable writes the others hold: it
                            // failed this transaction (fenced when others took it), whatever its role.
                            return Mono.<Message.Reply>error(new NodeException(ErrorCode.UNSTABLE_LOST, id
                                    + " lost unstable writes: " + e.message()));
                        }
                        return e != null && e.code() == ErrorCode.BUSY
                                ? Mono.<Message.Reply>error(new NodeException(ErrorCode.BUSY, id + " is busy: " + e.message()))
                                : Mono.just(r);
                    })
                    .retryWhen(Retry.backoff(Long.MAX_VALUE, FIRST_RESEND).maxBackoff(LONGEST_RESEND)
                            // A refused handshake is a configuration fault: resending cannot cure it; a
                            // resend of a COMMIT that found its writes lost finds them lost again.
                            .filter(e -> !(e instanceof NodeException.HandshakeRefused)
                                    && !(e instanceof NodeException n && n.code() == ErrorCode.UNSTABLE_LOST)
                                    && !(giveUpOnRefusal && refusedTooLong(e, refusedSince)))
                            .onRetryExhaustedThrow((spec, signal) -> signal.failure())
                            .doBeforeRetry(s -> metrics.resend()))
                    .timeout(timeout, Mono.error(() -> new NodeException.Timeout("no reply from " + id
                            + " to transaction " + request.txid() + " within " + timeout)));
        });
    }

    /**
     * Whether {@code e} is a refused connection that has gone on for {@code refusedFor}; starts or
     * resets the clock in {@code refusedSince} (any other error means something listens again).
     */
    private boolean refusedTooLong(Throwable e, long[] refusedSince) {
        if (!refused(e)) {
            refusedSince[0] = 0;
            return false;
        }
        long now = System.nanoTime();
        if (refusedSince[0] == 0) {
            refusedSince[0] = now;
            return false;
        }
        return now - refusedSince[0] >= settings.refusedFor().toNanos();
    }

    /**
     * Whether {@code e} (or a cause) says that no session can be opened with the node: nothing
     * accepts connections at its address, or what accepts them closes them before the handshake
     * (a proxy in front of a dead node). A connect that timed out is not a refusal: the node may
     * be alive behind a slow network.
     */
    static boolean refused(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof NodeException.Unreachable
                    || t instanceof java.net.ConnectException && !(t instanceof io.netty.channel.ConnectTimeoutException)) {
                return true;
            }
        }
        return false;
    }

    // ------------------------------------------------------------------ usage

    /** How long one member may take to answer STATFS for the usage figures. */
    private static final Duration USAGE_TIMEOUT = Duration.ofSeconds(5);

    /**
     * The group's usage ({@link ClusterUsage}) from a STATFS of every IN_SYNC member of the map
     * in use; a member that does not answer is left out, and when none answers the error of the
     * first is passed on.
     */
    public Mono<NodeInfo> usage() {
        return Mono.defer(() -> {
            List<Member> inSync = requireMap().readSet();
            return reactor.core.publisher.Flux.fromIterable(inSync)
                    .flatMap(m -> statfs(m, USAGE_TIMEOUT).map(java.util.Optional::of)
                            .onErrorResume(e -> {
                                log.debug("usage: {} did not answer STATFS: {}", m.id(), e.toString());
                                return Mono.just(Optional.<NodeInfo>empty());
                            }))
                    .filter(Optional::isPresent).map(Optional::get)
                    .collectList()
                    .flatMap(infos -> infos.isEmpty()
                            ? statfs(inSync.getFirst(), USAGE_TIMEOUT) // passes the first member's error on
                            : Mono.just(ClusterUsage.of(infos)));
        });
    }

    /**
     * One member's own STATFS figures, asked on its link, or on a link made for this question
     * when the member is not in the write set (OUT).
     */
    public Mono<NodeInfo> statfs(Member member, Duration timeout) {
        return Mono.defer(() -> {
            Link l = links.get(member.id());
            boolean own = l != null && l.member().address().equals(member.address());
            NodeLink link = own ? l.link() : new NodeLink(new InetSocketAddress(member.host(), member.port()), client);
            Message.Request request = new Message.Request(client.newTxid(), map == null ? 0 : source.wireEpoch(map),
                    List.of(new Command.Statfs()));
            return link.send(request).timeout(timeout)
                    .map(r -> {
                        Result.Error e = r.firstError();
                        if (e != null) {
                            throw new NodeException(e.code(), member.id() + ": " + e.message());
                        }
                        return ((Result.Statfs) r.results().getFirst()).info();
                    })
                    .doFinally(s -> {
                        if (!own) {
                            link.close();
                        }
                    });
        });
    }

    // ------------------------------------------------------------------ reads

    /**
     * Runs a read-only transaction on the lock authority; when it cannot be reached (or does
     * not answer within the read timeout), on another IN_SYNC node.
     */
    public Mono<Message.Reply> read(List<Command> commands) {
        return Mono.defer(() -> readOn(requireMap().authority(), commands, new HashSet<>()));
    }

    /**
     * Runs a read whose reply the caller can check ({@code trusted}): on an IN_SYNC node chosen
     * by the balancer, and on the authority when that node's reply fails the check (it has not
     * applied the version the caller trusts yet, or has a later one).
     */
    public Mono<Message.Reply> readChecked(List<Command> commands, Predicate<Message.Reply> trusted) {
        return Mono.defer(() -> {
            String auth = requireMap().authority();
            String node;
            synchronized (balancer) {
                node = balancer.choose(Set.of()).orElse(auth);
            }
            if (node.equals(auth)) {
                return readOn(auth, commands, new HashSet<>());
            }
            Set<String> tried = new HashSet<>();
            return readOn(node, commands, tried).flatMap(r -> trusted.test(r) ? Mono.just(r)
                    : Mono.defer(() -> {
                        metrics.failover();
                        return readOn(auth, commands, new HashSet<>());
                    }));
        });
    }

    /**
     * Starts a read of several chunks (design.md §4.3): each chunk is a read the caller can
     * check, placed by a {@link ReadBalancer.SplitRead} (split reads, the default) or a
     * {@link ReadBalancer.StickyRead} ({@code replication.split-reads=false}).
     */
    public ChunkedReader chunkedRead() {
        synchronized (balancer) {
            int nodes = balancer.readSet().size();
            return new ChunkedReader(settings.splitReads() ? balancer.startSplitRead() : balancer.startRead(), nodes);
        }
    }

    /** One multi-chunk read; its chunks may be read concurrently. */
    public final class ChunkedReader {
        /** Guarded by the balancer's lock, as the balancer it belongs to. */
        private final ReadBalancer.ChunkedRead placement;
        private final int nodes;

        private ChunkedReader(ReadBalancer.ChunkedRead placement, int nodes) {
            this.placement = placement;
            this.nodes = nodes;
        }

        /**
         * Chunks to keep in flight: {@code pipelineDepth}, and with split reads at least two per
         * IN_SYNC node, so every node has the next chunk queued when it sends one.
         */
        public int concurrency(int pipelineDepth) {
            return placement instanceof ReadBalancer.SplitRead ? Math.max(pipelineDepth, 2 * nodes) : pipelineDepth;
        }

        /**
         * Reads chunk {@code index} ({@code commands}, checked by {@code trusted}): on its placed
         * node, on the next one for it when that node fails, and on the authority when the reply
         * fails the check (that node is avoided by the rest of the read).
         */
        public Mono<Message.Reply> read(long index, List<Command> commands, Predicate<Message.Reply> trusted) {
            return Mono.defer(() -> {
                String auth = requireMap().authority();
                String first;
                synchronized (balancer) {
                    first = placement.place(index).orElse(auth);
                }
                String[] last = {first};
                Failover next = (failed, tried) -> {
                    synchronized (balancer) {
                        Optional<String> n = placement.failed(index, failed);
                        n.ifPresent(x -> last[0] = x);
                        return n;
                    }
                };
                return readOn(first, commands, new HashSet<>(), 0, next)
                        .flatMap(r -> trusted.test(r) || last[0].equals(auth) ? Mono.just(r) : Mono.defer(() -> {
                            synchronized (balancer) {
                                placement.avoid(last[0]);
                            }
                            metrics.failover();
                            return readOn(auth, commands, new HashSet<>());
                        }))
                        .doFinally(s -> {
                            synchronized (balancer) {
                                placement.done(index);
                            }
                        });
            });
        }
    }

    /** After a read failed on {@code failed}: the node to try next, or empty to give up. */
    @FunctionalInterface
    private interface Failover {
        Optional<String> next(String failed, Set<String> tried);
    }

    /** Any IN_SYNC node this read has not tried. */
    private Optional<String> untried(String failed, Set<String> tried) {
        synchronized (balancer) {
            return balancer.choose(tried);
        }
    }

    private Mono<Message.Reply> readOn(String node, List<Command> commands, Set<String> tried) {
        return readOn(node, commands, tried, 0, this::untried);
    }

    /**
     * {@code mapChanges}: how often this read has already gone again at a newer epoch. As for a
     * write, up to {@code max-map-changes}: a fenced node's own resync changes the map again right
     * after its fencing (OUT, then RESYNCING), so one refresh can still be one epoch behind the node.
     */
    private Mono<Message.Reply> readOn(String node, List<Command> commands, Set<String> tried, int mapChanges,
                                       Failover failover) {
        tried.add(node);
        Message.Request request = new Message.Request(client.newTxid(), map == null ? 0 : source.wireEpoch(map), commands);
        return Mono.defer(() -> {
                    synchronized (balancer) {
                        balancer.started(node);
                    }
                    metrics.read(node);
                    return link(node).link().send(request);
                })
                .doFinally(s -> {
                    synchronized (balancer) {
                        balancer.finished(node);
                    }
                })
                .retryWhen(Retry.backoff(RESENDS, Duration.ofMillis(50))
                        .filter(e -> e instanceof NodeException.ConnectionLost)
                        .onRetryExhaustedThrow((spec, signal) -> signal.failure()))
                .timeout(settings.readTimeout())
                .flatMap(r -> {
                    Result.Error e = r.firstError();
                    if (e != null && e.code() == ErrorCode.BUSY) {
                        // A node that lost its ZooKeeper session (or is overloaded) answers BUSY:
                        // read elsewhere when another IN_SYNC node is left, else pass it on.
                        Optional<String> next = failover.next(node, tried);
                        if (next.isEmpty()) {
                            return Mono.just(r);
                        }
                        log.debug("read on {} answered BUSY ({}), trying {}", node, e.message(), next.get());
                        metrics.failover();
                        return readOn(next.get(), commands, tried, 0, failover);
                    }
                    if (e == null || e.code() != ErrorCode.STALE_EPOCH || mapChanges >= settings.maxMapChanges()) {
                        metrics.readBytes(node, r);
                        return Mono.just(r);
                    }
                    metrics.refresh();
                    return Mono.fromCallable(source::refresh).subscribeOn(Schedulers.boundedElastic())
                            .then(Mono.defer(() -> readOn(node, commands, tried, mapChanges + 1, failover)));
                })
                // A node that refused this gateway's TLS handshake may be alone in that: try another
                // (its link holds the refusal for a backoff, so this costs no new connection).
                .onErrorResume(e -> !(e instanceof NodeException ne) || ne.code() != ErrorCode.HANDSHAKE_REFUSED
                        || ne instanceof NodeException.HandshakeRefused, e -> {
                    Optional<String> next = failover.next(node, tried);
                    if (next.isEmpty()) {
                        return Mono.error(e);
                    }
                    log.debug("read on {} failed ({}), trying {}", node, e.toString(), next.get());
                    metrics.failover();
                    return readOn(next.get(), commands, tried, 0, failover);
                });
    }

    @Override
    public void close() {
        source.close();
        links.values().forEach(l -> l.link().close());
        links.clear();
    }
}
