package org.pohmelfs.node.server;

import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Supplier;
import java.util.concurrent.CompletableFuture;
import org.pohmelfs.coherence.LockMode;
import org.pohmelfs.coherence.LockScope;
import org.pohmelfs.node.cluster.EpochFence;
import org.pohmelfs.node.coherence.HeldWrite;
import org.pohmelfs.node.coherence.LeaseDriver;
import org.pohmelfs.node.coherence.LeaseRefused;
import org.pohmelfs.node.coherence.MutationLocks;
import org.pohmelfs.protocol.Attr;
import org.pohmelfs.protocol.Command;
import org.pohmelfs.protocol.ErrorCode;
import org.pohmelfs.protocol.ObjectPath;
import org.pohmelfs.protocol.Opcodes;
import org.pohmelfs.protocol.Handshake;
import org.pohmelfs.protocol.LinkPolicy;
import org.pohmelfs.protocol.Message;
import org.pohmelfs.protocol.Result;
import org.pohmelfs.protocol.codec.RetainedRequest;
import org.pohmelfs.transport.ProtocolPipeline;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's end of one connection. Expects HELLO first and answers WELCOME or a refusal;
 * then hands each REQUEST to the executor off the event loop and writes each REPLY when it is
 * ready, so replies leave in completion order. When more than {@code maxInFlight} requests of
 * this connection are running it stops reading from the socket until some finish.
 *
 * <p>A request carrying WRITE data arrives as a {@link RetainedRequest}: its data are views of
 * the frame it came in. Every path a request takes ends in exactly one call of its {@code done}
 * (which releases the frame): after the transaction ran, or when it is answered without running.
 */
final class NodeSession extends SimpleChannelInboundHandler<Object> {
    /** The {@code done} of a request that holds no frame. */
    private static final Runnable NOTHING = () -> { };

    /** A request waiting for the fence, with what releases its frame. */
    private record Pending(Message.Request request, Runnable done) {
    }

    private static final Logger log = LoggerFactory.getLogger(NodeSession.class);

    private final LinkPolicy policy;
    private final Supplier<Handshake.NodeIdentity> identity;
    private final RequestExecutor executor;
    private final Executor ioThreads;
    private final NodeMetrics metrics;
    private final int maxInFlight;
    private final LeaseDriver leases;  // null: the node serves no leases
    private final EpochFence fence;
    private final boolean holdOffered; // the node offers the hold feature (needs leases)
    // Requests that arrived while the fence learns a later epoch, in arrival order; event loop only.
    private final java.util.ArrayDeque<Pending> waiting = new java.util.ArrayDeque<>();

    private RequestExecutor.Peer peer; // set by the handshake; event loop only
    private LeaseDriver.Holder holder; // set by the handshake when leases are served
    private boolean leaseFeatures;     // locks and push negotiated
    private boolean holdFeature;       // hold negotiated
    private int inFlight;              // event loop only
    private boolean flushPending;      // event loop only

    NodeSession(LinkPolicy policy, Supplier<Handshake.NodeIdentity> identity, RequestExecutor executor,
                Executor ioThreads, NodeMetrics metrics, int maxInFlight, LeaseDriver leases, EpochFence fence) {
        this(policy, identity, executor, ioThreads, metrics, maxInFlight, leases, fence, leases != null);
    }

    NodeSession(LinkPolicy policy, Supplier<Handshake.NodeIdentity> identity, RequestExecutor executor,
                Executor ioThreads, NodeMetrics metrics, int maxInFlight, LeaseDriver leases, EpochFence fence,
                boolean holdOffered) {
        super(false); // a RetainedRequest is released when its transaction has run, not on return
        this.holdOffered = holdOffered && leases != null;
        this.leases = leases;
        this.fence = fence;
        this.policy = policy;
        this.identity = identity;
        this.executor = executor;
        this.ioThreads = ioThreads;
        this.metrics = metrics;
        this.maxInFlight = maxInFlight;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        metrics.connectionOpened();
        ctx.fireChannelActive();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        metrics.connectionClosed();
        if (peer != null) {
            log.debug("peer {} at {} disconnected", peer.id(), peer.address());
        }
        if (holder != null) {
            holder.gone();
        }
        ctx.fireChannelInactive();
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, Object in) {
        Message msg;
        Runnable done = NOTHING;
        if (in instanceof RetainedRequest retained) {
            msg = retained.request();
            done = releaseOnce(retained);
        } else if (in instanceof Message m) {
            msg = m;
        } else {
            ctx.fireChannelRead(in); // not from the frame decoder: not this handler's
            return;
        }
        if (peer == null) {
            done.run();
            handshake(ctx, msg);
            return;
        }
        switch (msg) {
            case Message.Request request -> submit(ctx, request, done);
            case Message.PushAck ack -> {
                log.debug("push {} acknowledged by {}: {}", ack.pushId(), peer.id(), ack.result());
                if (holder != null) {
                    holder.ack(ack.pushId(), ack.result() instanceof Result.Ok);
                }
            }
            case Message.ConnectionError e -> {
                log.warn("peer {} closed the connection: {} {}", peer.id(), e.code(), e.message());
                ctx.close();
            }
            case Message.Hello h -> refuse(ctx, ErrorCode.PROTOCOL_ERROR, "HELLO sent twice");
            case Message.Welcome w -> refuse(ctx, ErrorCode.PROTOCOL_ERROR, "unexpected WELCOME from a client");
            case Message.Reply r -> refuse(ctx, ErrorCode.PROTOCOL_ERROR, "unexpected REPLY from a client");
            case Message.Push p -> refuse(ctx, ErrorCode.PROTOCOL_ERROR, "unexpected PUSH from a client");
        }
    }

    private void handshake(ChannelHandlerContext ctx, Message msg) {
        if (!(msg instanceof Message.Hello hello)) {
            refuse(ctx, ErrorCode.PROTOCOL_ERROR, "expected HELLO, got frame type " + msg.frameType());
            return;
        }
        boolean tls = ProtocolPipeline.tlsActive(ctx.channel());
        switch (Handshake.accept(policy, identity.get(), executor.info(), hello, tls)) {
            case Handshake.Decision.Accept accept -> {
                peer = new RequestExecutor.Peer(hello.peerId(), hello.incarnation(),
                        String.valueOf(ctx.channel().remoteAddress()));
                if (leases != null) {
                    leaseFeatures = accept.welcome().features().contains(Opcodes.FEATURE_LOCKS)
                            && accept.welcome().features().contains(Opcodes.FEATURE_PUSH);
                    // Every connection is an owner in the lock table, so its mutations take transient
                    // locks; only one that negotiated locks and push may hold leases (and get recalls).
                    holder = leases.connect(hello.peerId(), push -> ctx.channel().writeAndFlush(push));
                    holdFeature = holdOffered && accept.welcome().features().contains(Opcodes.FEATURE_HOLD);
                }
                ctx.writeAndFlush(accept.welcome());
                log.info("peer {} connected from {} ({}, checksum {}, max frame {})", hello.peerId(), peer.address(),
                        tls ? "TLS" : "plaintext", accept.welcome().checksum(), accept.welcome().maxFrame());
            }
            case Handshake.Decision.Refuse refuse -> {
                metrics.handshakeRefused();
                log.warn("refused peer '{}' from {}: {}", hello.peerId(), ctx.channel().remoteAddress(),
                        refuse.error().message());
                ctx.writeAndFlush(refuse.error()).addListener(ChannelFutureListener.CLOSE);
            }
        }
    }

    /**
     * Epoch fencing first (protocol §6.3): a stale request is answered STALE_EPOCH with nothing
     * applied; one from a later epoch waits, with every request behind it on this connection,
     * until the fence has learned the epoch off the event loop.
     */
    private void submit(ChannelHandlerContext ctx, Message.Request request, Runnable done) {
        if (waiting.isEmpty()) {
            fenced(ctx, new Pending(request, done));
        } else {
            waiting.add(new Pending(request, done));
        }
    }

    /** The {@code done} of a retained request: releases its frame, once. */
    private static Runnable releaseOnce(RetainedRequest retained) {
        java.util.concurrent.atomic.AtomicBoolean released = new java.util.concurrent.atomic.AtomicBoolean();
        return () -> {
            if (released.compareAndSet(false, true)) {
                retained.release();
            }
        };
    }

    /** Handles one request by its epoch; false when it now waits for a refresh. */
    private boolean fenced(ChannelHandlerContext ctx, Pending pending) {
        Message.Request request = pending.request();
        EpochFence.Verdict verdict = fence.check(request.epoch());
        switch (verdict) {
            case ADMIT -> admitted(ctx, request, pending.done());
            case STALE, BUSY -> refuseEpoch(ctx, request, verdict, pending.done());
            case REFRESH -> {
                waiting.addFirst(pending);
                ctx.channel().config().setAutoRead(false);
                try {
                    ioThreads.execute(() -> {
                        EpochFence.Verdict v = fence.refresh(request.epoch());
                        ctx.executor().execute(() -> refreshed(ctx, v));
                    });
                } catch (RejectedExecutionException e) {
                    ctx.executor().execute(() -> refreshed(ctx, EpochFence.Verdict.BUSY));
                }
                return false;
            }
        }
        return true;
    }

    /** On the event loop: the head of {@link #waiting} got its verdict; those behind it go on in order. */
    private void refreshed(ChannelHandlerContext ctx, EpochFence.Verdict verdict) {
        Pending head = waiting.poll();
        if (verdict == EpochFence.Verdict.ADMIT) {
            admitted(ctx, head.request(), head.done());
        } else {
            refuseEpoch(ctx, head.request(), verdict, head.done());
        }
        while (!waiting.isEmpty()) {
            if (!fenced(ctx, waiting.poll())) {
                return; // another refresh started; it goes on from there
            }
        }
        if (inFlight < maxInFlight) {
            ctx.channel().config().setAutoRead(true);
        }
    }

    /**
     * A request that only reads, and reads data or metadata (not PING, SYNC, COMMIT, TOKENS or a
     * lease command: COMMIT is classified as SYNC everywhere).
     */
    static boolean readsForClient(Message.Request request) {
        if (request.mutates()) {
            return false;
        }
        for (Command c : request.commands()) {
            if (c instanceof Command.Stat || c instanceof Command.List || c instanceof Command.Read
                    || c instanceof Command.Checksum
                    || c instanceof Command.XattrGet || c instanceof Command.XattrList || c instanceof Command.Locks
                    || c instanceof Command.Statfs) {
                return true;
            }
        }
        return false;
    }

    private void refuseEpoch(ChannelHandlerContext ctx, Message.Request request, EpochFence.Verdict verdict,
                             Runnable done) {
        done.run();
        Message.Reply reply = verdict == EpochFence.Verdict.STALE
                ? failed(request, ErrorCode.STALE_EPOCH, "epoch " + request.epoch() + " is older than the node's "
                        + fence.epoch())
                : !fence.serving()
                ? failed(request, ErrorCode.BUSY, "not serving: no ZooKeeper session, so the node cannot tell "
                        + "whether it is still in the cluster map")
                : failed(request, ErrorCode.BUSY, "cannot learn cluster epoch " + request.epoch() + " now");
        metrics.recordRequest(request, reply, 0);
        ctx.writeAndFlush(reply);
    }

    private void admitted(ChannelHandlerContext ctx, Message.Request request, Runnable done) {
        if (!fence.readable() && readsForClient(request)) {
            done.run();
            // Defence in depth (design.md §5): gateways read only from IN_SYNC members.
            Message.Reply busy = failed(request, ErrorCode.BUSY, "not serving reads: this node is not IN_SYNC "
                    + "in the cluster map (it is catching up)");
            metrics.recordRequest(request, busy, 0);
            ctx.writeAndFlush(busy);
            return;
        }
        if (request.commands().stream().anyMatch(c -> c instanceof Command.Hold || c instanceof Command.Unhold)) {
            holdRequest(ctx, request, done);
            return;
        }
        if (request.commands().stream().anyMatch(Command::isLeaseCommand)) {
            done.run(); // a lease request writes nothing (one with a WRITE in it is refused)
            leaseRequest(ctx, request); // not counted in flight: an ACQUIRE may wait for recall acks read here
            return;
        }
        if (++inFlight >= maxInFlight) {
            ctx.channel().config().setAutoRead(false);
        }
        long start = System.nanoTime();
        if (holder == null || !request.mutates()) {
            apply(ctx, request, start, done);
            return;
        }
        // A mutation first makes every other connection's conflicting lease go away (design.md §3.4).
        holder.lockForMutation(MutationLocks.of(request.commands())).whenComplete((release, error) -> {
            if (error != null) {
                done.run();
                ctx.executor().execute(() -> replied(ctx, failed(request, ErrorCode.BUSY, "cannot lock: " + error)));
            } else {
                apply(ctx, request, start, () -> {
                    try {
                        release.run();
                    } finally {
                        done.run();
                    }
                });
            }
        });
    }

    private void apply(ChannelHandlerContext ctx, Message.Request request, long start, Runnable after) {
        try {
            ioThreads.execute(() -> {
                Message.Reply reply;
                try {
                    reply = run(request);
                } finally {
                    after.run();
                }
                metrics.recordRequest(request, reply, System.nanoTime() - start);
                ctx.executor().execute(() -> replied(ctx, reply));
            });
        } catch (RejectedExecutionException e) {
            after.run();
            ctx.executor().execute(() -> replied(ctx, failed(request, ErrorCode.BUSY, "node is shutting down")));
        }
    }

    /**
     * HOLD and UNHOLD (protocol §4.8.2, design.md §4.7). UNHOLD alone in its request releases what
     * HOLD kept for its txid on this connection (OK also when nothing is). HOLD first in a
     * mutating transaction: the rest runs as any mutation (transient locks, then the store), and
     * after a commit that really ran (not a resend answered from the reply cache) its locks stay
     * under this connection and the txid. Refusals apply nothing: UNSUPPORTED without the feature;
     * INVALID_ARGUMENT on the misplaced command (the others ABORTED) for a HOLD that is not first
     * or not alone, in a transaction that does not mutate, or an UNHOLD with company.
     */
    private void holdRequest(ChannelHandlerContext ctx, Message.Request request, Runnable done) {
        List<Command> commands = request.commands();
        if (!holdFeature || commands.stream().anyMatch(c -> c instanceof Command.Unhold)
                || !(commands.getFirst() instanceof Command.Hold)
                || commands.stream().filter(c -> c instanceof Command.Hold).count() > 1 || !request.mutates()) {
            done.run(); // refused, or an UNHOLD: nothing of the frame is kept
        }
        if (!holdFeature) {
            writeRefusal(ctx, request, failed(request, ErrorCode.UNSUPPORTED, "HOLD and UNHOLD need the hold feature"));
            return;
        }
        if (commands.stream().anyMatch(c -> c instanceof Command.Unhold)) {
            if (commands.size() != 1) {
                writeRefusal(ctx, request, misplaced(request, c -> c instanceof Command.Unhold,
                        "UNHOLD must be the only command of its request"));
                return;
            }
            long start = System.nanoTime();
            holder.unhold(((Command.Unhold) commands.getFirst()).txid()).whenComplete((v, e) -> {
                Message.Reply reply = e == null ? new Message.Reply(request.txid(), List.of(new Result.Ok()))
                        : failed(request, ErrorCode.BUSY, "cannot unhold: " + e);
                metrics.recordRequest(request, reply, System.nanoTime() - start);
                ctx.executor().execute(() -> ctx.writeAndFlush(reply));
            });
            return;
        }
        long holds = commands.stream().filter(c -> c instanceof Command.Hold).count();
        if (!(commands.getFirst() instanceof Command.Hold) || holds > 1) {
            writeRefusal(ctx, request, misplaced(request, c -> c instanceof Command.Hold,
                    "HOLD must be the first command of its transaction, once"));
            return;
        }
        if (!request.mutates()) {
            writeRefusal(ctx, request, misplaced(request, c -> c instanceof Command.Hold,
                    "HOLD in a transaction that does not mutate"));
            return;
        }
        Message.Request inner = new Message.Request(request.txid(), request.epoch(), commands.subList(1, commands.size()));
        if (++inFlight >= maxInFlight) {
            ctx.channel().config().setAutoRead(false);
        }
        long start = System.nanoTime();
        holder.lockForMutation(MutationLocks.of(inner.commands())).whenComplete((lock, error) -> {
            if (error != null) {
                done.run();
                ctx.executor().execute(() -> replied(ctx, failed(request, ErrorCode.BUSY, "cannot lock: " + error)));
                return;
            }
            try {
                ioThreads.execute(() -> {
                    RequestExecutor.Executed ex;
                    Message.Request kept = null;
                    try {
                        ex = executor.executeTracked(peer, inner);
                        if (ex.reply().ok() && !ex.cached()) {
                            // Kept for forwarding after the frame is released: WRITE data copied out of it.
                            kept = detached(inner);
                        }
                    } catch (RuntimeException | Error e) {
                        log.error("transaction {} of {} failed unexpectedly", inner.txid(), peer.id(), e);
                        ex = new RequestExecutor.Executed(failed(inner, ErrorCode.INTERNAL, "internal error: " + e), false);
                    } finally {
                        done.run();
                    }
                    if (kept != null) {
                        holder.hold(lock, new HeldWrite(peer.id(), peer.incarnation(), kept, ex.reply()));
                    } else {
                        lock.run(); // failed, or a resend: nothing new to hold
                    }
                    metrics.recordRequest(inner, ex.reply(), System.nanoTime() - start);
                    List<Result> results = new ArrayList<>(commands.size());
                    results.add(ex.reply().ok() ? new Result.Ok()
                            : new Result.Error(ErrorCode.ABORTED, "aborted: the transaction failed"));
                    results.addAll(ex.reply().results());
                    Message.Reply reply = new Message.Reply(request.txid(), results);
                    ctx.executor().execute(() -> replied(ctx, reply));
                });
            } catch (RejectedExecutionException e) {
                done.run();
                lock.run();
                ctx.executor().execute(() -> replied(ctx, failed(request, ErrorCode.BUSY, "node is shutting down")));
            }
        });
    }

    /** {@code request} with every WRITE's data copied to the heap (it may point into a frame about to be released). */
    static Message.Request detached(Message.Request request) {
        if (request.commands().stream().noneMatch(c -> c instanceof Command.Write)) {
            return request;
        }
        List<Command> out = new ArrayList<>(request.commands().size());
        for (Command c : request.commands()) {
            if (c instanceof Command.Write w) {
                java.nio.ByteBuffer copy = java.nio.ByteBuffer.allocate(w.data().remaining());
                copy.put(w.data().duplicate()).flip();
                out.add(new Command.Write(w.path(), w.offset(), copy, w.create(), w.unstable()));
            } else {
                out.add(c);
            }
        }
        return new Message.Request(request.txid(), request.epoch(), out);
    }

    private void writeRefusal(ChannelHandlerContext ctx, Message.Request request, Message.Reply reply) {
        metrics.recordRequest(request, reply, 0);
        ctx.writeAndFlush(reply);
    }

    /** A refused request: the misplaced commands carry the error, every other one ABORTED. */
    private static Message.Reply misplaced(Message.Request request, java.util.function.Predicate<Command> wrong,
                                           String message) {
        List<Result> results = new ArrayList<>();
        for (Command c : request.commands()) {
            results.add(wrong.test(c) ? new Result.Error(ErrorCode.INVALID_ARGUMENT, message)
                    : new Result.Error(ErrorCode.ABORTED, "aborted: " + message));
        }
        return new Message.Reply(request.txid(), results);
    }

    /**
     * ACQUIRE, RELEASE, RENEW, DOWNGRADE: each alone in its request, served by the lease driver
     * off the event loop. The reply of an ACQUIRE waits for the grant; other transactions on the
     * connection go on meanwhile.
     */
    private void leaseRequest(ChannelHandlerContext ctx, Message.Request request) {
        long start = System.nanoTime();
        CompletableFuture<Void> sent = new CompletableFuture<>();
        CompletableFuture<Message.Reply> reply;
        Command command = request.commands().getFirst();
        if (request.commands().size() != 1) {
            reply = CompletableFuture.completedFuture(leaseError(request, ErrorCode.INVALID_ARGUMENT,
                    "a lease command must be the only command of its request"));
        } else if (!leaseFeatures) {
            reply = CompletableFuture.completedFuture(failed(request, ErrorCode.UNSUPPORTED,
                    "lease commands need the locks and push features"));
        } else {
            CompletableFuture<Message.Reply> served;
            try {
                served = lease(request, command, sent);
            } catch (RuntimeException e) {
                served = CompletableFuture.failedFuture(e);
            }
            reply = served.exceptionally(e -> {
                Throwable cause = e instanceof java.util.concurrent.CompletionException ? e.getCause() : e;
                return cause instanceof LeaseRefused r ? failed(request, r.code(), r.getMessage())
                        : cause instanceof ObjectPath.InvalidPathException p ? failed(request, p.code(), p.getMessage())
                        : failed(request, ErrorCode.INTERNAL, "internal error: " + cause);
            });
        }
        reply.whenComplete((r, e) -> {
            metrics.recordRequest(request, r, System.nanoTime() - start);
            ctx.executor().execute(() -> {
                try {
                    ctx.writeAndFlush(r);
                } finally {
                    sent.complete(null);
                }
            });
        });
    }

    private CompletableFuture<Message.Reply> lease(Message.Request request, Command command, CompletableFuture<Void> sent) {
        long txid = request.txid();
        switch (command) {
            case Command.Acquire a -> {
                ObjectPath path = ObjectPath.parse(a.path());
                return holder.acquire(path, a.exclusive() ? LockMode.EXCLUSIVE : LockMode.SHARED,
                                a.subtree() ? LockScope.SUBTREE : LockScope.OBJECT, request.epoch())
                        .thenCompose(g -> {
                            sent.whenComplete((v, e) -> g.sent().complete(null));
                            return stat(request, a.path()).thenApply(attr -> new Message.Reply(txid, List.of(
                                    new Result.Grant(g.leaseId(), g.mode() == LockMode.EXCLUSIVE,
                                            g.scope() == LockScope.SUBTREE, g.remainingNanos(), identity.get().epoch(),
                                            attr))));
                        });
            }
            case Command.Release r -> {
                holder.release(ObjectPath.parse(r.path()));
                return CompletableFuture.completedFuture(new Message.Reply(txid, List.of(new Result.Ok())));
            }
            case Command.Downgrade d -> {
                holder.downgrade(ObjectPath.parse(d.path()));
                return CompletableFuture.completedFuture(new Message.Reply(txid, List.of(new Result.Ok())));
            }
            case Command.Renew r -> {
                return holder.renew(request.epoch()).thenApply(n -> new Message.Reply(txid,
                        List.of(new Result.Renewed(n, leases.leaseNanos()))));
            }
            default -> throw new IllegalStateException("not a lease command: " + command);
        }
    }

    /** The object's attributes for a grant, or null when it does not exist (or cannot be read). */
    private CompletableFuture<Attr> stat(Message.Request request, String path) {
        CompletableFuture<Attr> f = new CompletableFuture<>();
        try {
            ioThreads.execute(() -> {
                Message.Reply r = run(new Message.Request(request.txid(), request.epoch(),
                        List.of(new Command.Stat(path))));
                f.complete(r.results().getFirst() instanceof Result.Attrs a ? a.attr() : null);
            });
        } catch (RejectedExecutionException e) {
            f.complete(null);
        }
        return f;
    }

    /** A failed request with several commands: each lease command gets the error, the others ABORTED. */
    private static Message.Reply leaseError(Message.Request request, ErrorCode code, String message) {
        List<Result> results = new ArrayList<>();
        for (Command c : request.commands()) {
            results.add(c.isLeaseCommand() ? new Result.Error(code, message)
                    : new Result.Error(ErrorCode.ABORTED, "aborted: " + message));
        }
        return new Message.Reply(request.txid(), results);
    }

    /**
     * On the event loop: writes one reply and schedules a flush behind it. Replies that finish
     * while the loop is busy queue up ahead of that flush and leave in one {@code writev}
     * (one task and one flush per batch, rather than a write-and-flush task per reply).
     */
    private void replied(ChannelHandlerContext ctx, Message.Reply reply) {
        ctx.write(reply, ctx.voidPromise());
        if (!flushPending) {
            flushPending = true;
            ctx.executor().execute(() -> {
                flushPending = false;
                ctx.flush();
            });
        }
        if (--inFlight < maxInFlight / 2 && waiting.isEmpty() && !ctx.channel().config().isAutoRead()) {
            ctx.channel().config().setAutoRead(true);
        }
    }

    private Message.Reply run(Message.Request request) {
        try {
            return executor.execute(peer, request);
        } catch (RuntimeException | Error e) {
            log.error("transaction {} of {} failed unexpectedly", request.txid(), peer.id(), e);
            return failed(request, ErrorCode.INTERNAL, "internal error: " + e);
        }
    }

    /** A reply in which every command failed with {@code code}. */
    static Message.Reply failed(Message.Request request, ErrorCode code, String message) {
        List<Result> results = new ArrayList<>(request.commands().size());
        for (int i = 0; i < request.commands().size(); i++) {
            results.add(new Result.Error(code, message));
        }
        return new Message.Reply(request.txid(), results);
    }

    private void refuse(ChannelHandlerContext ctx, ErrorCode code, String why) {
        log.warn("closing connection from {}: {}", ctx.channel().remoteAddress(), why);
        ctx.writeAndFlush(new Message.ConnectionError(code, why)).addListener(ChannelFutureListener.CLOSE);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
        if (event instanceof SslHandshakeCompletionEvent tls && !tls.isSuccess()) {
            metrics.handshakeRefused();
            log.warn("refused peer at {}: TLS handshake failed: {}", ctx.channel().remoteAddress(),
                    org.pohmelfs.transport.TlsFailures.reason(tls.cause()));
        }
        ctx.fireUserEventTriggered(event);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause.getCause() instanceof javax.net.ssl.SSLHandshakeException) {
            // userEventTriggered has logged the refusal with its reason already
            log.debug("connection from {} failed", ctx.channel().remoteAddress(), cause);
        } else {
            log.warn("connection from {} failed: {}", ctx.channel().remoteAddress(), cause.toString());
        }
        ctx.close();
    }
}
