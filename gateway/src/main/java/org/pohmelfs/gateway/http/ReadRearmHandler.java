package org.pohmelfs.gateway.http;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import reactor.netty.channel.ChannelOperations;

/**
 * Keeps an HTTP/1.1 keep-alive connection reading after Reactor Netty has delivered the rest of
 * a request to which no operation is attached any more (its exchange already answered and
 * ended). A workaround for
 * <a href="https://github.com/reactor/reactor-netty/issues/4361">reactor/reactor-netty#4361</a>,
 * fixed upstream in Reactor Netty 1.3.8; this build has 1.3.6. Remove it with the upgrade
 * ({@code EarlyAnswerKeepAliveTest} shows whether it is still needed: it fails without it).
 *
 * <p>The bug: the server reads on demand (auto-read off) and every read is re-armed by an
 * explicit {@code read()}. A request that arrives while the previous exchange has written its
 * response but not yet ended (the gateway's WebDAV answers are written from a virtual thread,
 * so there is such a window), or that a client pipelines, is queued with the rest of its
 * message (at least the empty last content). When that request is answered at once, within
 * the dispatch (a refusal made on the event loop before the body is read), its exchange ends
 * while the rest of its message is still queued; Reactor Netty's drain then hands that rest to
 * nobody and returns without re-arming the read. The client's next request stays in the
 * socket, unread, until the client gives up (seen as a hung {@code WebDavApiTest}).
 *
 * <p>How it works: it sits just before Reactor Netty's bridge to the application. A message
 * that finds no operation attached is such a rest (a request always has its operation bound
 * before it is passed on); after passing it on, a read is asked for. An extra read is harmless:
 * it only asks for bytes the connection would read next anyway.
 */
@ChannelHandler.Sharable
final class ReadRearmHandler extends ChannelInboundHandlerAdapter {
    static final String NAME = "pohmelfs.readRearm";
    static final ReadRearmHandler INSTANCE = new ReadRearmHandler();

    private ReadRearmHandler() {
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        boolean orphan = ChannelOperations.get(ctx.channel()) == null;
        ctx.fireChannelRead(msg);
        if (orphan && ctx.channel().isActive() && !ctx.channel().config().isAutoRead()) {
            ctx.read();
        }
    }
}
