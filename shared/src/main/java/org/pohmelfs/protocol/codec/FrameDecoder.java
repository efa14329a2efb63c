package org.pohmelfs.protocol.codec;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.util.List;
import org.pohmelfs.protocol.ChecksumAlgorithm;
import org.pohmelfs.protocol.ErrorCode;
import org.pohmelfs.protocol.Message;
import org.pohmelfs.protocol.Opcodes;
import org.pohmelfs.protocol.ProtocolException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Splits the byte stream into frames and decodes each into one {@link Message}.
 *
 * <pre>
 *  0               4       6       8                       16
 *  +---------------+-------+-------+-----------------------+-----------------+-----------+
 *  | length (u32)  | type  | flags | id (u64)              | body            | checksum  |
 *  +---------------+-------+-------+-----------------------+-----------------+-----------+
 *  length = bytes after the length field (12 + body + trailer); at most maxFrame
 *  type   = frame type (Opcodes.FRAME_*)
 *  flags  = bits 0-1: checksum algorithm of the trailer; bits 2-15: reserved, zero
 *  id     = transaction id (REQUEST, REPLY), push id (PUSH, PUSH_ACK), else 0
 *  checksum covers type, flags, id and body
 * </pre>
 *
 * <p>A frame whose length exceeds {@code maxFrame} is refused from its header alone: nothing
 * of it is buffered. Any malformed frame — bad length, unknown type, bad checksum, a body that
 * does not parse — is answered with one ERROR frame, after which the connection closes and
 * every further byte is discarded (the decoder ends in its BAD state).
 */
public final class FrameDecoder extends ByteToMessageDecoder {
    private static final Logger log = LoggerFactory.getLogger(FrameDecoder.class);

    /** Bytes of a frame after its length field when the body is empty and there is no trailer. */
    public static final int HEADER_AFTER_LENGTH = 12;

    private final int maxFrame;
    private final boolean retainData;
    private boolean bad;

    /** @param maxFrame the largest value of the length field this side accepts */
    public FrameDecoder(int maxFrame) {
        this(maxFrame, false);
    }

    /**
     * @param maxFrame   the largest value of the length field this side accepts
     * @param retainData emit a REQUEST that carries WRITE data as a {@link RetainedRequest}
     *                   whose data are views of the frame (the next handler must release it);
     *                   otherwise every message is a plain {@link Message} with its data copied
     */
    public FrameDecoder(int maxFrame, boolean retainData) {
        if (maxFrame < 64) {
            throw new IllegalArgumentException("maxFrame must be at least 64 bytes");
        }
        this.maxFrame = maxFrame;
        this.retainData = retainData;
        setCumulator(this::cumulate);
    }

    /**
     * Netty's merging cumulator, except that once a frame's length field is in, the buffer is
     * grown to hold the whole frame in one step. A 1 MiB frame arriving in 64 KiB reads would
     * otherwise be copied into a buffer doubled five times. Only lengths within
     * {@code maxFrame} are trusted for this; a larger one is refused by {@link #decode}. Large
     * frames come from the pool ({@link LargeBuffers}).
     *
     * <p>A {@link RetainedRequest} still holding a view of the old cumulation is safe: the old
     * buffer is copied from, never written to, and the merging cumulator below copies instead of
     * appending when the cumulation is shared ({@code refCnt() > 1}), as does Netty's discarding
     * of read bytes.
     */
    private ByteBuf cumulate(ByteBufAllocator alloc, ByteBuf cumulation, ByteBuf in) {
        int readable = cumulation.readableBytes();
        if (readable >= 4 && !cumulation.isReadOnly()) {
            long length = cumulation.getUnsignedInt(cumulation.readerIndex());
            long frame = 4 + length;
            long total = (long) readable + in.readableBytes();
            if (length <= maxFrame && frame > total && frame - readable > cumulation.writableBytes()) {
                ByteBuf whole = LargeBuffers.large(frame) ? LargeBuffers.pooled((int) frame) : alloc.buffer((int) frame);
                try {
                    whole.writeBytes(cumulation, cumulation.readerIndex(), readable);
                    whole.writeBytes(in, in.readerIndex(), in.readableBytes());
                } catch (RuntimeException e) {
                    whole.release();
                    throw e;
                } finally {
                    in.release();
                }
                cumulation.release();
                return whole;
            }
        }
        return MERGE_CUMULATOR.cumulate(alloc, cumulation, in);
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (bad) {
            in.skipBytes(in.readableBytes());
            return;
        }
        try {
            Object m = decodeFrame(in, FrameChecksum.of(ctx.channel()).negotiated(), maxFrame, retainData);
            if (m != null) {
                out.add(m);
            }
        } catch (ProtocolException e) {
            bad = true;
            in.skipBytes(in.readableBytes());
            log.warn("closing connection from {}: {}", ctx.channel().remoteAddress(), e.getMessage());
            // Written from the tail, not from this handler's context: the encoder may sit after
            // the decoder in the pipeline, and ctx.write would pass it by unencoded.
            ctx.channel().writeAndFlush(new Message.ConnectionError(e.code(), e.getMessage()))
                    .addListener(ChannelFutureListener.CLOSE);
        }
    }

    /**
     * Decodes one frame from {@code in} if it holds a whole one; returns null (consuming
     * nothing) otherwise. Pure apart from advancing {@code in}; public for fuzzing and tools.
     *
     * @param negotiated the connection's checksum algorithm, or null during the handshake
     */
    public static Message decodeFrame(ByteBuf in, ChecksumAlgorithm negotiated, int maxFrame) {
        return (Message) decodeFrame(in, negotiated, maxFrame, false);
    }

    /**
     * As {@link #decodeFrame(ByteBuf, ChecksumAlgorithm, int)}; with {@code retainData} a REQUEST
     * that carries WRITE data comes back as a {@link RetainedRequest} holding a reference to
     * {@code in}'s memory (the caller releases it), anything else as a plain {@link Message}.
     * Nothing stays retained when this throws.
     */
    public static Object decodeFrame(ByteBuf in, ChecksumAlgorithm negotiated, int maxFrame, boolean retainData) {
        if (in.readableBytes() < 4) {
            return null;
        }
        long length = in.getUnsignedInt(in.readerIndex());
        if (length > maxFrame) {
            throw new ProtocolException(ErrorCode.TOO_LARGE,
                    "frame of " + length + " bytes exceeds the limit of " + maxFrame);
        }
        if (length < HEADER_AFTER_LENGTH) {
            throw new ProtocolException("frame length " + length + " is shorter than a header");
        }
        if (in.readableBytes() < 4 + length) {
            return null;
        }
        int start = in.readerIndex() + 4;
        int type = in.getUnsignedShort(start);
        int flags = in.getUnsignedShort(start + 2);
        long id = in.getLong(start + 4);
        if ((flags & ~0x3) != 0) {
            throw new ProtocolException("reserved frame flags set: 0x" + Integer.toHexString(flags));
        }
        ChecksumAlgorithm algorithm = ChecksumAlgorithm.of(flags & 0x3);
        ChecksumAlgorithm expected = negotiated != null ? negotiated : FrameChecksum.HANDSHAKE;
        if (algorithm != expected && !(negotiated == null && type == Opcodes.FRAME_ERROR)) {
            throw new ProtocolException("frame carries checksum " + algorithm + " but the connection uses "
                    + expected);
        }
        int trailer = algorithm.trailerLength();
        int covered = (int) length - trailer;
        if (covered < HEADER_AFTER_LENGTH) {
            throw new ProtocolException("frame too short for its " + algorithm + " trailer");
        }
        if (!Checksums.verify(algorithm, in, start, covered, start + covered)) {
            throw new ProtocolException(algorithm + " checksum mismatch in " + FrameEncoder.name(type) + " frame");
        }
        if (retainData && type == Opcodes.FRAME_REQUEST) {
            ByteBuf body = in.retainedSlice(start + HEADER_AFTER_LENGTH, covered - HEADER_AFTER_LENGTH);
            in.skipBytes(4 + (int) length);
            boolean kept = false;
            try {
                Message.Request r = (Message.Request) decodeBody(type, id, body, true);
                if (RetainedRequest.carriesData(r)) {
                    kept = true;
                    return new RetainedRequest(r, body);
                }
                return r; // no data: nothing in it refers to the frame (an empty view reads nothing)
            } finally {
                if (!kept) {
                    body.release();
                }
            }
        }
        ByteBuf body = in.slice(start + HEADER_AFTER_LENGTH, covered - HEADER_AFTER_LENGTH);
        in.skipBytes(4 + (int) length);
        return decodeBody(type, id, body, false);
    }

    private static Message decodeBody(int type, long id, ByteBuf body, boolean dataViews) {
        try {
            return BodyCodec.decode(type, id, body, dataViews);
        } catch (ProtocolException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new ProtocolException("malformed " + FrameEncoder.name(type) + " body: " + e.getMessage());
        }
    }
}
