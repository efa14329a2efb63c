package org.pohmelfs.protocol.codec;

import io.netty.channel.Channel;
import io.netty.util.AttributeKey;
import org.pohmelfs.protocol.ChecksumAlgorithm;

/**
 * The checksum state of one connection, shared by its encoder and decoder. Until the handshake
 * completes every frame carries CRC-32C; afterwards every frame in both directions must carry
 * the negotiated algorithm, and a frame with another one is a protocol error (no downgrade).
 */
public final class FrameChecksum {
    private static final AttributeKey<FrameChecksum> KEY = AttributeKey.valueOf("pohmelfs.checksum");

    /** The algorithm of handshake frames. */
    public static final ChecksumAlgorithm HANDSHAKE = ChecksumAlgorithm.CRC32C;

    private volatile ChecksumAlgorithm negotiated;

    public static FrameChecksum of(Channel channel) {
        FrameChecksum state = channel.attr(KEY).get();
        if (state == null) {
            FrameChecksum fresh = new FrameChecksum();
            state = channel.attr(KEY).setIfAbsent(fresh);
            if (state == null) {
                state = fresh;
            }
        }
        return state;
    }

    /** The algorithm outgoing frames carry now. */
    public ChecksumAlgorithm current() {
        ChecksumAlgorithm n = negotiated;
        return n == null ? HANDSHAKE : n;
    }

    /** The negotiated algorithm, or null while the handshake runs. */
    public ChecksumAlgorithm negotiated() {
        return negotiated;
    }

    /** Switches both directions to the negotiated algorithm; called once, by the handshake. */
    public void negotiate(ChecksumAlgorithm algorithm) {
        this.negotiated = algorithm;
    }
}
