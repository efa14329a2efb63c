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
import org.pohmelfs.protocol.ErrorCode;
import org.pohmelfs.protocol.Handshake;
import org.pohmelfs.protocol.LinkPolicy;
import org.pohmelfs.protocol.Message;
import org.pohmelfs.protocol.Result;
import org.pohmelfs.transport.ProtocolPipeline;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's end of one connection. Expects HELLO first and answers WELCOME or a refusal;
 * then hands each REQUEST to the executor off the event loop and writes each REPLY when it is
 * ready, so replies leave in completion order. When more than {@code maxInFlight} requests of
 * this connection are running it stops reading from the socket until some finish.
 */
final class NodeSession extends SimpleChannelInboundHandler<Message> {
    private static final Logger log = LoggerFactory.getLogger(NodeSession.class);

    private final LinkPolicy policy;
    private final Supplier<Handshake.NodeIdentity> identity;
    private final RequestExecutor executor;
    private final Executor ioThreads;
    private final NodeMetrics metrics;
    private final int maxInFlight;

    private RequestExecutor.Peer peer; // set by the handshake; event loop only
    private int inFlight;              // event loop only
    private boolean flushPending;      // event loop only

    NodeSession(LinkPolicy policy, Supplier<Handshake.NodeIdentity> identity, RequestExecutor executor,
                Executor ioThreads, NodeMetrics metrics, int maxInFlight) {
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
        ctx.fireChannelInactive();
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, Message msg) {
        if (peer == null) {
            handshake(ctx, msg);
            return;
        }
        switch (msg) {
            case Message.Request request -> submit(ctx, request);
            case Message.PushAck ack -> log.debug("push {} acknowledged by {}", ack.pushId(), peer.id());
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

    private void submit(ChannelHandlerContext ctx, Message.Request request) {
        if (++inFlight >= maxInFlight) {
            ctx.channel().config().setAutoRead(false);
        }
        long start = System.nanoTime();
        try {
            ioThreads.execute(() -> {
                Message.Reply reply = run(request);
                metrics.recordRequest(request, reply, System.nanoTime() - start);
                ctx.executor().execute(() -> replied(ctx, reply));
            });
        } catch (RejectedExecutionException e) {
            inFlight--;
            ctx.writeAndFlush(failed(request, ErrorCode.BUSY, "node is shutting down"));
        }
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
        if (--inFlight < maxInFlight / 2 && !ctx.channel().config().isAutoRead()) {
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
                    tls.cause().getMessage());
        }
        ctx.fireUserEventTriggered(event);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.warn("connection from {} failed: {}", ctx.channel().remoteAddress(), cause.toString());
        ctx.close();
    }
}
