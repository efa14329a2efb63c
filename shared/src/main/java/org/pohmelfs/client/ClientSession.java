package org.pohmelfs.client;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import java.util.Map;
import java.util.Set;
import org.pohmelfs.coherence.RecallKind;
import org.pohmelfs.protocol.Opcodes;
import reactor.core.publisher.Mono;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.pohmelfs.protocol.ErrorCode;
import org.pohmelfs.protocol.Message;
import org.pohmelfs.protocol.Result;
import org.pohmelfs.protocol.codec.FrameChecksum;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import org.pohmelfs.transport.TlsFailures;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The client end of one connection: completes the handshake future with the node's WELCOME,
 * matches each REPLY to its pending transaction by id, acknowledges pushes, and fails
 * everything pending when the connection ends.
 */
final class ClientSession extends SimpleChannelInboundHandler<Message> {
    private static final Logger log = LoggerFactory.getLogger(ClientSession.class);

    final CompletableFuture<Message.Welcome> welcome = new CompletableFuture<>();
    final Map<Long, CompletableFuture<Message.Reply>> pending = new ConcurrentHashMap<>();
    private final String target;
    private final Consumer<Message.Push> pushListener;
    final LeaseListener leases; // null: no locks feature asked for
    /** Paths this connection holds a lease on (kept for the automatic renewal). */
    final Set<String> held = ConcurrentHashMap.newKeySet();
    /**
     * ACQUIREs in flight, txid → path, kept until their REPLY arrives (also after the caller gave
     * up: timed out or cancelled), so a grant that nobody takes any more is released.
     */
    final Map<Long, String> acquiring = new ConcurrentHashMap<>();
    /** Called with the path of such a late grant (set by the connection; null before). */
    volatile Consumer<String> lateGrant;
    private volatile NodeException closedBecause;

    ClientSession(String target, Consumer<Message.Push> pushListener, LeaseListener leases) {
        this.target = target;
        this.pushListener = pushListener;
        this.leases = leases;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, Message msg) {
        switch (msg) {
            case Message.Welcome w -> {
                // Every frame after WELCOME carries the algorithm it names, in both directions.
                FrameChecksum.of(ctx.channel()).negotiate(w.checksum());
                FrameChecksum.of(ctx.channel()).maxFrame(w.maxFrame());
                welcome.complete(w);
            }
            case Message.Reply r -> {
                CompletableFuture<Message.Reply> f = pending.remove(r.txid());
                String acquired = acquiring.remove(r.txid());
                if (f != null && f.complete(r)) {
                    return;
                }
                // Nobody waits for this reply any more (timed out, cancelled). A grant in it is a
                // lease this connection holds on the node but not in its cache: give it back.
                if (acquired != null && r.results().getFirst() instanceof Result.Grant && lateGrant != null) {
                    log.debug("late grant of {} (transaction {}) from {}: releasing it", acquired, r.txid(), target);
                    lateGrant.accept(acquired);
                } else {
                    log.debug("reply for unknown or timed-out transaction {} from {}", r.txid(), target);
                }
            }
            case Message.Push p when p.kind() == Opcodes.PUSH_RECALL_SHARED
                    || p.kind() == Opcodes.PUSH_RECALL_EXCLUSIVE -> recall(ctx, p);
            case Message.Push p when p.kind() != Opcodes.PUSH_NOTICE -> ctx.writeAndFlush(new Message.PushAck(
                    p.pushId(), new Result.Error(ErrorCode.UNSUPPORTED, "unknown push kind " + p.kind())));
            case Message.Push p -> {
                Result result = new Result.Ok();
                try {
                    pushListener.accept(p);
                } catch (RuntimeException e) {
                    log.warn("push {} from {} failed: {}", p.pushId(), target, e.toString());
                    result = new Result.Error(ErrorCode.INTERNAL, String.valueOf(e.getMessage()));
                }
                ctx.writeAndFlush(new Message.PushAck(p.pushId(), result));
            }
            case Message.ConnectionError e -> {
                String why = "node " + target + " closed the connection: " + e.message();
                closedBecause = e.code() == ErrorCode.HANDSHAKE_REFUSED && !welcome.isDone()
                        ? new NodeException.HandshakeRefused(why) : new NodeException(e.code(), why);
                log.warn("{}", closedBecause.getMessage());
                ctx.close();
            }
            case Message.Hello h -> protocolError(ctx, "unexpected HELLO from node");
            case Message.Request r -> protocolError(ctx, "unexpected REQUEST from node");
            case Message.PushAck a -> protocolError(ctx, "unexpected PUSH_ACK from node");
        }
    }

    /** Runs the listener's recall; PUSH_ACK OK when it completes, ERROR when it fails. */
    private void recall(ChannelHandlerContext ctx, Message.Push p) {
        RecallKind kind = p.kind() == Opcodes.PUSH_RECALL_SHARED ? RecallKind.TO_SHARED : RecallKind.TO_NOTHING;
        Mono<Void> work;
        try {
            long leaseId = Long.parseLong(p.text());
            work = leases == null ? Mono.error(new IllegalStateException("no lease listener"))
                    : leases.recall(new LeaseListener.Recall(p.pushId(), p.path(), leaseId, kind));
        } catch (RuntimeException e) {
            work = Mono.error(e);
        }
        work.subscribe(null,
                e -> {
                    log.warn("recall {} of {} from {} failed: {}", p.pushId(), p.path(), target, e.toString());
                    ctx.writeAndFlush(new Message.PushAck(p.pushId(),
                            new Result.Error(ErrorCode.INTERNAL, String.valueOf(e.getMessage()))));
                },
                () -> {
                    if (kind == RecallKind.TO_NOTHING) {
                        held.remove(p.path());
                    }
                    ctx.writeAndFlush(new Message.PushAck(p.pushId(), new Result.Ok()));
                });
    }

    private void protocolError(ChannelHandlerContext ctx, String why) {
        closedBecause = new NodeException(ErrorCode.PROTOCOL_ERROR, why + " " + target);
        ctx.writeAndFlush(new Message.ConnectionError(ErrorCode.PROTOCOL_ERROR, why)).addListener(f -> ctx.close());
    }

    /**
     * A failed TLS handshake: this side refused the node's certificate (the reason names the
     * certificate and why), or the node refused ours (a TLS alert). Logged here, once per
     * refused connection, so that every native client (gateway, resyncing node, tools) says
     * which node it refused and why.
     */
    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
        if (event instanceof SslHandshakeCompletionEvent tls && !tls.isSuccess()) {
            String reason = TlsFailures.reason(tls.cause());
            log.warn("refused node at {}: TLS handshake failed: {}", target, reason);
            if (closedBecause == null) {
                // Closed before the handshake could end, without a TLS alert: what a proxy in
                // front of a dead node does; that stays a lost connection (unreachable), as in plaintext.
                String why = "refused node at " + target + ": TLS handshake failed: " + reason;
                closedBecause = closedWithoutAlert(tls.cause()) ? new NodeException.ConnectionLost(why)
                        : new NodeException.HandshakeRefused(why);
            }
        }
        ctx.fireUserEventTriggered(event);
    }

    /** Whether a failed TLS handshake ended by the connection closing, with no TLS alert or certificate error. */
    private static boolean closedWithoutAlert(Throwable cause) {
        for (Throwable t = cause; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof javax.net.ssl.SSLException) {
                return false;
            }
        }
        return true;
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (closedBecause == null && !welcome.isDone() && !closedWithoutAlert(cause)) {
            // TLS 1.3: the node checks this side's certificate after this side's handshake ended,
            // and its refusal (an alert) arrives as a read error before the WELCOME.
            closedBecause = new NodeException.HandshakeRefused("node at " + target + " refused the TLS handshake: "
                    + TlsFailures.reason(cause));
            log.warn("{}", closedBecause.getMessage());
        }
        if (closedBecause == null) {
            closedBecause = new NodeException.ConnectionLost("connection to " + target + " failed: " + cause);
        }
        log.debug("connection to {} failed", target, cause);
        ctx.close();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        NodeException why = closedBecause != null ? closedBecause
                : new NodeException.ConnectionLost("connection to " + target + " closed");
        welcome.completeExceptionally(why);
        acquiring.clear();
        if (leases != null && welcome.isDone() && !welcome.isCompletedExceptionally()) {
            try {
                leases.lost(why);
            } catch (RuntimeException e) {
                log.warn("lease listener failed", e);
            }
        }
        for (Long id : pending.keySet()) {
            CompletableFuture<Message.Reply> f = pending.remove(id);
            if (f != null) {
                f.completeExceptionally(why instanceof NodeException.ConnectionLost ? why
                        : new NodeException.ConnectionLost(why.getMessage()));
            }
        }
        ctx.fireChannelInactive();
    }
}
