package org.pohmelfs.protocol.codec;

import io.netty.channel.Channel;
import io.netty.util.AttributeKey;
import org.pohmelfs.protocol.ChecksumAlgorithm;

/**
 * The negotiated state of one connection that its encoder and decoder share: the checksum
 * algorithm and the agreed frame limit. Until the handshake
 * completes every frame carries CRC-32C; afterwards every frame in both directions must carry
 * the negotiated algorithm, and a frame with another one is a protocol error (no downgrade).
 */
public final class FrameChecksum {
    private static final AttributeKey<FrameChecksum> KEY = AttributeKey.valueOf("pohmelfs.checksum");

    /** The algorithm of handshake frames. */
    public static final ChecksumAlgorithm HANDSHAKE = ChecksumAlgorithm.CRC32C;

    private volatile ChecksumAlgorithm negotiated;
    private volatile int maxFrame = Integer.MAX_VALUE;

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

    /** The agreed largest frame (the value of a frame's length field); unlimited before the handshake. */
    public int maxFrame() {
        return maxFrame;
    }

    public void maxFrame(int maxFrame) {
        this.maxFrame = maxFrame;
    }
}
