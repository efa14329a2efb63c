package org.pohmelfs.client;

import io.netty.channel.Channel;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.ScheduledFuture;
import org.pohmelfs.coherence.LeaseClock;
import org.pohmelfs.coherence.LockMode;
import org.pohmelfs.coherence.LockScope;
import org.pohmelfs.protocol.Command;
import org.pohmelfs.protocol.ErrorCode;
import org.pohmelfs.protocol.Opcodes;
import org.pohmelfs.protocol.Result;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import org.pohmelfs.protocol.Message;
import org.pohmelfs.protocol.NodeInfo;

/**
 * One open, handshaken connection to a storage node. Thread-safe: any number of transactions
 * may be in flight at once; each completes when its reply arrives, in any order.
 */
public final class NodeConnection implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(NodeConnection.class);
    /** Room left in a frame for headers and a path when a chunk of data is sent. */
    private static final int FRAME_HEADROOM = 16 * 1024;
    private static final int MAX_CHUNK = 1024 * 1024;

    private final Channel channel;
    private final ClientSession session;
    private final Message.Welcome welcome;
    private final long incarnation;
    private final long requestTimeoutMillis;
    private final AtomicLong nextTxid;

    NodeConnection(Channel channel, ClientSession session, Message.Welcome welcome, long incarnation,
                   long requestTimeoutMillis, AtomicLong txids) {
        this.channel = channel;
        this.session = session;
        this.welcome = welcome;
        this.incarnation = incarnation;
        this.requestTimeoutMillis = requestTimeoutMillis;
        this.nextTxid = txids;
        session.lateGrant = this::releaseLateGrant;
    }

    /** What the node said in its WELCOME: identity, negotiated checksum and frame size, its export. */
    public Message.Welcome welcome() {
        return welcome;
    }

    public String nodeId() {
        return welcome.nodeId();
    }

    /** The node's export as reported at connect time (ask STATFS for fresh figures). */
    public NodeInfo info() {
        return welcome.info();
    }

    /** The incarnation this client sent in HELLO: with a txid it names a transaction to the node. */
    public long incarnation() {
        return incarnation;
    }

    /** The largest data chunk one READ or WRITE should carry on this connection. */
    public int maxChunk() {
        return Math.min(MAX_CHUNK, Integer.highestOneBit(welcome.maxFrame() - FRAME_HEADROOM));
    }

    public boolean isOpen() {
        return channel.isActive();
    }

    /** A fresh transaction id (unique for this client process). */
    public long newTxid() {
        return nextTxid.getAndIncrement();
    }

    /** Sends the commands as one transaction with a fresh id. */
    public CompletableFuture<Message.Reply> execute(List<Command> commands) {
        return send(new Message.Request(newTxid(), 0, commands));
    }

    public CompletableFuture<Message.Reply> execute(Command... commands) {
        return execute(List.of(commands));
    }

    /**
     * Sends a request as given: resending a request with the same txid after a lost reply asks the
     * node for the original answer, and the node does not apply it twice.
     */
    public CompletableFuture<Message.Reply> send(Message.Request request) {
        List<Command> original = request.commands();
        List<Command> allowed = Downgrade.forPeer(original, welcome.features());
        if (allowed == original) {
            return sendAsIs(request);
        }
        return sendAsIs(new Message.Request(request.txid(), request.epoch(), allowed))
                .thenApply(reply -> Downgrade.restoreHold(original, allowed, reply));
    }

    /** Whether the node takes HOLD and UNHOLD (otherwise {@link #send} drops HOLD). */
    public boolean holds() {
        return welcome.features().contains(Opcodes.FEATURE_HOLD);
    }

    /** Whether the node takes WRITE_UNSTABLE and COMMIT (otherwise {@link #send} downgrades them). */
    public boolean unstableWrites() {
        return welcome.features().contains(Opcodes.FEATURE_UNSTABLE);
    }

    private CompletableFuture<Message.Reply> sendAsIs(Message.Request request) {
        CompletableFuture<Message.Reply> reply = new CompletableFuture<>();
        CompletableFuture<Message.Reply> previous = session.pending.putIfAbsent(request.txid(), reply);
        if (previous != null) {
            return previous; // the same transaction is already in flight on this connection
        }
        if (!channel.isActive()) {
            session.pending.remove(request.txid());
            reply.completeExceptionally(new NodeException.ConnectionLost("connection to " + nodeId() + " is closed"));
            return reply;
        }
        var timeout = channel.eventLoop().schedule(() -> {
            if (session.pending.remove(request.txid(), reply)) {
                reply.completeExceptionally(new NodeException.Timeout("no reply from " + nodeId() + " to transaction "
                        + request.txid() + " within " + requestTimeoutMillis + " ms"));
            }
        }, requestTimeoutMillis, TimeUnit.MILLISECONDS);
        reply.whenComplete((r, e) -> timeout.cancel(false));
        channel.writeAndFlush(request).addListener(f -> {
            if (!f.isSuccess() && session.pending.remove(request.txid(), reply)) {
                reply.completeExceptionally(new NodeException.ConnectionLost("sending to " + nodeId() + " failed: "
                        + f.cause()));
            }
        });
        return reply;
    }

    // ------------------------------------------------------------------ leases (design.md §3)

    /** Whether this connection negotiated {@code locks} and {@code push}, so it may hold leases. */
    public boolean leasesEnabled() {
        return session.leases != null && welcome.features().contains(Opcodes.FEATURE_LOCKS)
                && welcome.features().contains(Opcodes.FEATURE_PUSH);
    }

    /**
     * ACQUIRE: completes with the lease once the node grants it, which may take until conflicting
     * leases elsewhere were recalled (up to one lease duration). Fails with {@link NodeException}
     * carrying the node's code (ALREADY_PENDING, HOLDER_GONE, INVALID_PATH, …) or a lost connection.
     * The deadline is counted from when the ACQUIRE was sent. Schedules the automatic RENEW.
     */
    public Mono<ClientLease> acquire(String path, LockMode mode, LockScope scope) {
        return Mono.defer(() -> {
            long sentAt = System.nanoTime();
            Message.Request request = new Message.Request(newTxid(), 0, List.of(new Command.Acquire(path,
                    mode == LockMode.EXCLUSIVE, scope == LockScope.SUBTREE)));
            // Registered before sending: the REPLY may come back before send() returns.
            session.acquiring.put(request.txid(), path);
            CompletableFuture<Message.Reply> reply = send(request);
            if (reply.isCompletedExceptionally()) {
                session.acquiring.remove(request.txid());
            }
            return Mono.fromFuture(reply).map(r -> {
                if (!(r.results().getFirst() instanceof Result.Grant g)) {
                    throw failure(r, "ACQUIRE " + path);
                }
                session.held.add(path);
                ClientLease lease = new ClientLease(g.leaseId(), path, g.exclusive() ? LockMode.EXCLUSIVE
                        : LockMode.SHARED, g.subtree() ? LockScope.SUBTREE : LockScope.OBJECT, g.durationNanos(),
                        g.epoch(), g.attrIfExists(), sentAt, leaseClock.gatewayDeadline(sentAt, g.durationNanos()));
                scheduleRenewal(lease.deadlineNanos(), g.durationNanos());
                return lease;
            });
        });
    }

    /**
     * A GRANT arrived after its ACQUIRE timed out or was cancelled: the node holds the lease for
     * this connection (and would renew it with the others), the caller never saw it. Released at
     * once, unless the path is wanted again: held through a later grant, or being acquired anew
     * (the node keeps one lease per connection and path, so that RELEASE would take the new one).
     */
    private void releaseLateGrant(String path) {
        if (session.held.contains(path) || session.acquiring.containsValue(path)) {
            return;
        }
        lateGrants.incrementAndGet();
        simple(new Command.Release(path)).subscribe(null,
                e -> log.warn("RELEASE of the late grant of {} to {} failed: {}", path, nodeId(), e.toString()));
    }

    private final AtomicLong lateGrants = new AtomicLong();

    /** How many grants arrived after their ACQUIRE was given up, and were released. */
    public long lateGrantsReleased() {
        return lateGrants.get();
    }

    /** RELEASE of this connection's lease on the path (OK also when none is held). */
    public Mono<Void> release(String path) {
        return simple(new Command.Release(path)).doOnSuccess(v -> session.held.remove(path));
    }

    /** DOWNGRADE of this connection's exclusive lease on the path to shared. */
    public Mono<Void> downgrade(String path) {
        return simple(new Command.Downgrade(path));
    }

    /**
     * RENEW: one per connection covers every lease held here except those being recalled. The
     * connection sends it by itself at the renewal point (L/3 before the deadline); this is for
     * callers that want it sooner. Completes with t_send, count and duration as the listener hears.
     */
    public Mono<Result.Renewed> renew() {
        return Mono.defer(() -> {
            long sentAt = System.nanoTime();
            return Mono.fromFuture(execute(new Command.Renew())).map(reply -> {
                if (!(reply.results().getFirst() instanceof Result.Renewed r)) {
                    NodeException refused = failure(reply, "RENEW");
                    if (refused.code() == ErrorCode.STALE_EPOCH) {
                        // Not the authority any more: its leases end now, and are not renewed again.
                        session.held.clear();
                        if (session.leases != null) {
                            session.leases.renewRefused(refused);
                        }
                    }
                    throw refused;
                }
                if (session.leases != null) {
                    session.leases.renewed(sentAt, r.count(), r.durationNanos());
                }
                scheduleRenewal(leaseClock.gatewayDeadline(sentAt, r.durationNanos()), r.durationNanos());
                return r;
            });
        });
    }

    private final LeaseClock leaseClock = LeaseClock.DEFAULT;
    private ScheduledFuture<?> renewal; // guarded by this
    private long renewalAt;             // guarded by this

    /** Makes sure a RENEW goes out no later than the renewal point of a deadline. */
    private synchronized void scheduleRenewal(long deadlineNanos, long leaseNanos) {
        long at = LeaseClock.renewalPoint(deadlineNanos, leaseNanos);
        if (renewal != null && !renewal.isDone() && renewalAt <= at) {
            return;
        }
        if (renewal != null) {
            renewal.cancel(false);
        }
        renewalAt = at;
        renewal = channel.eventLoop().schedule(this::renewNow, Math.max(0, at - System.nanoTime()),
                TimeUnit.NANOSECONDS);
    }

    private void renewNow() {
        synchronized (this) {
            renewal = null;
        }
        if (!channel.isActive() || session.held.isEmpty()) {
            return;
        }
        renew().subscribe(null, e -> log.warn("automatic RENEW to {} failed: {}", nodeId(), e.toString()));
    }

    private Mono<Void> simple(Command command) {
        return Mono.fromFuture(() -> execute(command)).flatMap(reply -> reply.ok() ? Mono.<Void>empty()
                : Mono.error(failure(reply, command.getClass().getSimpleName().toUpperCase())));
    }

    private NodeException failure(Message.Reply reply, String what) {
        Result.Error e = reply.firstError();
        return e == null ? new NodeException(ErrorCode.PROTOCOL_ERROR, what + ": unexpected " + reply.results())
                : new NodeException(e.code(), what + " on " + nodeId() + ": " + e.message());
    }

    /** Closes the connection; transactions still in flight fail with ConnectionLost. */
    @Override
    public void close() {
        channel.close().syncUninterruptibly();
    }

    /** A future completing when the connection has closed, for whatever reason. */
    public CompletableFuture<Void> onClose() {
        CompletableFuture<Void> f = new CompletableFuture<>();
        channel.closeFuture().addListener(x -> f.complete(null));
        return f;
    }
}
