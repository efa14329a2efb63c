package org.pohmelfs.protocol.codec;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.pohmelfs.protocol.ChecksumAlgorithm;
import org.pohmelfs.protocol.Message;

/** Every message survives encode → decode, with every checksum algorithm and buffer kind. */
class FrameRoundTripProperties {

    /** Where the frame lies when it is decoded. */
    enum Buffers {
        /** What Netty reads into. */
        POOLED_DIRECT,
        UNPOOLED_HEAP,
        /** A frame spread over a direct and a heap component, as a cumulation of two reads can be. */
        COMPOSITE;

        ByteBuf encode(Message msg, ChecksumAlgorithm alg) {
            ByteBuf buf = switch (this) {
                case POOLED_DIRECT -> PooledByteBufAllocator.DEFAULT.directBuffer();
                case UNPOOLED_HEAP -> UnpooledByteBufAllocator.DEFAULT.heapBuffer();
                case COMPOSITE -> {
                    byte[] frame = Frames.encode(msg, alg);
                    int half = frame.length / 2;
                    CompositeByteBuf c = ByteBufAllocator.DEFAULT.compositeBuffer();
                    c.addComponent(true, ByteBufAllocator.DEFAULT.directBuffer().writeBytes(frame, 0, half));
                    c.addComponent(true, ByteBufAllocator.DEFAULT.heapBuffer()
                            .writeBytes(frame, half, frame.length - half));
                    yield c;
                }
            };
            if (this != COMPOSITE) {
                try {
                    FrameEncoder.encode(msg, alg, buf);
                } catch (RuntimeException e) {
                    buf.release();
                    throw e;
                }
            }
            return buf;
        }
    }

    @Provide
    Arbitrary<Message> messages() {
        return MessageArbitraries.messages();
    }

    @Property(tries = 600)
    void everyMessageRoundTrips(@ForAll("messages") Message msg, @ForAll ChecksumAlgorithm alg,
                                @ForAll Buffers buffers) {
        // Handshake frames always carry CRC-32C and are read before anything is negotiated.
        boolean handshake = msg instanceof Message.Hello || msg instanceof Message.Welcome;
        ChecksumAlgorithm sent = handshake ? FrameChecksum.HANDSHAKE : alg;
        ChecksumAlgorithm negotiated = handshake ? null : alg;
        ByteBuf buf = buffers.encode(msg, sent);
        try {
            assertThat(buf.getUnsignedInt(0)).isEqualTo(buf.readableBytes() - 4L);
            Message decoded = FrameDecoder.decodeFrame(buf, negotiated, Integer.MAX_VALUE);
            assertThat(decoded).isEqualTo(msg);
            assertThat(buf.isReadable()).as("whole frame consumed").isFalse();
        } finally {
            buf.release();
        }
    }

    @Property(tries = 200)
    void connectionErrorsAreReadDuringTheHandshakeWhateverTheirChecksum(
            @ForAll("errors") Message.ConnectionError msg, @ForAll ChecksumAlgorithm alg) {
        assertThat(Frames.decode(Frames.encode(msg, alg), null)).isEqualTo(msg);
    }

    @Provide
    Arbitrary<Message.ConnectionError> errors() {
        return MessageArbitraries.connectionError();
    }

    @Property(tries = 200)
    void aPrefixOfAFrameIsNeverDecoded(@ForAll("messages") Message msg, @ForAll ChecksumAlgorithm alg) {
        byte[] frame = Frames.encode(msg, alg);
        ChecksumAlgorithm negotiated = msg instanceof Message.Hello || msg instanceof Message.Welcome ? null : alg;
        for (int cut = 0; cut < frame.length; cut += Math.max(1, frame.length / 16)) {
            ByteBuf buf = io.netty.buffer.Unpooled.wrappedBuffer(frame, 0, cut);
            try {
                assertThat(FrameDecoder.decodeFrame(buf, negotiated, Frames.MAX)).isNull();
                assertThat(buf.readerIndex()).as("nothing consumed").isZero();
            } finally {
                buf.release();
            }
        }
    }
}
