package org.pohmelfs.protocol.codec;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.HexFormat;
import org.pohmelfs.protocol.ChecksumAlgorithm;
import org.pohmelfs.protocol.Message;

/** Test helpers: frames as byte arrays, hand-built frames, a channel with the real codec. */
final class Frames {
    static final int MAX = 64 * 1024;

    private Frames() {
    }

    /** The whole frame {@link FrameEncoder#encode} writes for {@code msg}. */
    static byte[] encode(Message msg, ChecksumAlgorithm algorithm) {
        ByteBuf buf = Unpooled.buffer();
        try {
            FrameEncoder.encode(msg, algorithm, buf);
            return ByteBufUtil.getBytes(buf);
        } finally {
            buf.release();
        }
    }

    /** Decodes exactly one whole frame; fails if bytes are left over or it is incomplete. */
    static Message decode(byte[] frame, ChecksumAlgorithm negotiated) {
        ByteBuf buf = Unpooled.wrappedBuffer(frame);
        try {
            Message m = FrameDecoder.decodeFrame(buf, negotiated, MAX);
            if (m == null || buf.isReadable()) {
                throw new AssertionError("not exactly one frame: " + ByteBufUtil.hexDump(frame));
            }
            return m;
        } finally {
            buf.release();
        }
    }

    /**
     * A frame built by hand around {@code body}: correct length and a correct trailer of
     * {@code algorithm}, whatever the flags say, so tests reach the checks behind the checksum.
     */
    static byte[] raw(int type, int flags, long id, byte[] body, ChecksumAlgorithm algorithm) {
        ByteBuf buf = Unpooled.buffer();
        try {
            buf.writeInt(0);
            buf.writeShort(type);
            buf.writeShort(flags);
            buf.writeLong(id);
            buf.writeBytes(body);
            Checksums.writeTrailer(algorithm, buf, 4, buf.writerIndex() - 4);
            buf.setInt(0, buf.writerIndex() - 4);
            return ByteBufUtil.getBytes(buf);
        } finally {
            buf.release();
        }
    }

    static byte[] raw(int type, long id, byte[] body) {
        return raw(type, ChecksumAlgorithm.CRC32C.code(), id, body, ChecksumAlgorithm.CRC32C);
    }

    /** Rewrites length and trailer of an {@code algorithm} frame after its body was changed. */
    static byte[] reseal(byte[] frame, ChecksumAlgorithm algorithm) {
        int covered = frame.length - 4 - algorithm.trailerLength();
        ByteBuf buf = Unpooled.buffer();
        try {
            buf.writeInt(0);
            buf.writeBytes(frame, 4, covered);
            Checksums.writeTrailer(algorithm, buf, 4, covered);
            buf.setInt(0, buf.writerIndex() - 4);
            return ByteBufUtil.getBytes(buf);
        } finally {
            buf.release();
        }
    }

    /** A channel with the real pipeline; {@code negotiated} null leaves it in the handshake. */
    static EmbeddedChannel channel(ChecksumAlgorithm negotiated) {
        EmbeddedChannel ch = new EmbeddedChannel(new FrameDecoder(MAX), FrameEncoder.INSTANCE);
        if (negotiated != null) {
            FrameChecksum.of(ch).negotiate(negotiated);
        }
        return ch;
    }

    static byte[] hex(String hex) {
        return HexFormat.of().parseHex(hex.replaceAll("\\s+", ""));
    }

    static String hex(byte[] bytes) {
        return HexFormat.of().formatHex(bytes);
    }

    static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) {
            n += p.length;
        }
        byte[] all = new byte[n];
        int at = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, all, at, p.length);
            at += p.length;
        }
        return all;
    }
}
