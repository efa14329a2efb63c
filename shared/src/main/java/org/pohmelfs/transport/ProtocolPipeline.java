package org.pohmelfs.transport;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.ssl.OptionalSslHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import org.pohmelfs.protocol.codec.FrameDecoder;
import org.pohmelfs.protocol.codec.FrameEncoder;

/**
 * Builds the channel pipeline of a native-protocol connection, the same for nodes, clients
 * and in-JVM tests: [TLS] → frame decoder → frame encoder → the session handler.
 */
public final class ProtocolPipeline {
    public static final String TLS = "pohmelfs.tls";
    public static final String DECODER = "pohmelfs.decoder";
    public static final String ENCODER = "pohmelfs.encoder";
    public static final String SESSION = "pohmelfs.session";

    private ProtocolPipeline() {
    }

    /**
     * Server side. With a TLS context the node detects whether a client speaks TLS (so that a
     * plaintext client of a TLS-only node gets a readable refusal rather than a TLS alert).
     * A REQUEST carrying WRITE data reaches {@code session} as a
     * {@link org.pohmelfs.protocol.codec.RetainedRequest} (its data are views of the frame), which
     * the session must release once the request has run; every other message as a plain one.
     */
    public static void configureServer(Channel channel, SslContext tls, int maxFrame, ChannelHandler session) {
        ChannelPipeline p = channel.pipeline();
        p.addFirst(SESSION, session);
        p.addFirst(ENCODER, FrameEncoder.INSTANCE);
        p.addFirst(DECODER, new FrameDecoder(maxFrame, true));
        if (tls != null) {
            p.addFirst(TLS, new OptionalSslHandler(tls));
        }
    }

    /** Client side: TLS when a context is given, always. */
    public static void configureClient(Channel channel, SslContext tls, String host, int port, int maxFrame,
                                       ChannelHandler session) {
        ChannelPipeline p = channel.pipeline();
        p.addFirst(SESSION, session);
        p.addFirst(ENCODER, FrameEncoder.INSTANCE);
        p.addFirst(DECODER, new FrameDecoder(maxFrame));
        if (tls != null) {
            p.addFirst(TLS, tls.newHandler(channel.alloc(), host, port));
        }
    }

    /** Whether the connection runs over TLS now. */
    public static boolean tlsActive(Channel channel) {
        return channel.pipeline().get(SslHandler.class) != null;
    }
}
