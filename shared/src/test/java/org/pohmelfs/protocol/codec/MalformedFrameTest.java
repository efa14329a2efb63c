package org.pohmelfs.protocol.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.pohmelfs.protocol.ChecksumAlgorithm.CRC32C;
import static org.pohmelfs.protocol.ChecksumAlgorithm.NONE;
import static org.pohmelfs.protocol.ChecksumAlgorithm.SHA256;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.pohmelfs.protocol.Attr;
import org.pohmelfs.protocol.ChecksumAlgorithm;
import org.pohmelfs.protocol.Command;
import org.pohmelfs.protocol.ErrorCode;
import org.pohmelfs.protocol.FileType;
import org.pohmelfs.protocol.Message;
import org.pohmelfs.protocol.Opcodes;
import org.pohmelfs.protocol.ProtocolException;
import org.pohmelfs.protocol.Result;

/**
 * Frames that break the protocol. Each case is checked twice: {@link FrameDecoder#decodeFrame}
 * throws a {@link ProtocolException} with the expected code, and the real pipeline answers with
 * exactly one ERROR frame carrying that code, closes, lets no exception escape and ignores
 * every byte after the bad frame.
 */
class MalformedFrameTest {

    /** One malformed input: the bytes, the connection's negotiated algorithm, the expected code. */
    record Case(String name, byte[] bytes, ChecksumAlgorithm negotiated, ErrorCode code) {
        @Override
        public String toString() {
            return name;
        }
    }

    static byte[] body(Consumer<ByteBuf> writer) {
        ByteBuf b = Unpooled.buffer();
        try {
            writer.accept(b);
            return ByteBufUtil.getBytes(b);
        } finally {
            b.release();
        }
    }

    static void attr(ByteBuf b) {
        b.writeByte(FileType.FILE.code()).writeLong(1).writeLong(2).writeInt(0644).writeLong(3);
    }

    /** A REPLY holding one result written by {@code result}. */
    static byte[] reply(Consumer<ByteBuf> result) {
        return Frames.raw(Opcodes.FRAME_REPLY, 9, body(b -> {
            b.writeInt(1);
            result.accept(b);
        }));
    }

    /** A REQUEST holding one command written by {@code command}. */
    static byte[] request(Consumer<ByteBuf> command) {
        return Frames.raw(Opcodes.FRAME_REQUEST, 9, body(b -> {
            b.writeLong(0).writeInt(1);
            command.accept(b);
        }));
    }

    /** A STAT command whose path field holds {@code utf8} verbatim. */
    static byte[] statWithPathBytes(String hex) {
        byte[] bytes = Frames.hex(hex);
        return request(b -> b.writeShort(Opcodes.STAT).writeShort(bytes.length).writeBytes(bytes));
    }

    static final ErrorCode PROTO = ErrorCode.PROTOCOL_ERROR;

    static Stream<Case> cases() {
        byte[] ping = Frames.encode(FramePipelineTest.PING, CRC32C);
        byte[] pingSha = Frames.encode(FramePipelineTest.PING, SHA256);
        byte[] hello = Frames.hex(FramePipelineTest.HELLO);
        return Stream.of(
                // Header
                new Case("length over the limit", Frames.hex("00010001"), CRC32C, ErrorCode.TOO_LARGE),
                new Case("length 0xFFFFFFFF", Frames.hex("ffffffff 0003 0001"), CRC32C, ErrorCode.TOO_LARGE),
                new Case("length shorter than a header", Frames.hex("0000000b 0003 0001 00000000000000 00"),
                        CRC32C, PROTO),
                new Case("length 0", Frames.hex("00000000"), CRC32C, PROTO),
                new Case("reserved flag bit 2", Frames.raw(Opcodes.FRAME_REQUEST, 0x5, 1, new byte[0], CRC32C),
                        CRC32C, PROTO),
                new Case("reserved flag bit 15", Frames.raw(Opcodes.FRAME_REQUEST, 0x8001, 1, new byte[0], CRC32C),
                        CRC32C, PROTO),
                new Case("unknown checksum algorithm 3", Frames.raw(Opcodes.FRAME_REQUEST, 0x3, 1, new byte[0], NONE),
                        CRC32C, PROTO),
                new Case("frame shorter than its SHA-256 trailer", Frames.hex("00000014 0003 0002 0000000000000001 0000000000000000"),
                        SHA256, PROTO),
                // Checksums
                new Case("CRC-32C mismatch in the body", flip(ping, 20), CRC32C, PROTO),
                new Case("CRC-32C mismatch in the trailer", flip(ping, ping.length - 1), CRC32C, PROTO),
                new Case("CRC-32C mismatch in the header", flip(ping, 5), CRC32C, PROTO),
                new Case("SHA-256 mismatch", flip(pingSha, 24), SHA256, PROTO),
                new Case("NONE after CRC-32C was negotiated", Frames.encode(FramePipelineTest.PING, NONE), CRC32C, PROTO),
                new Case("NONE after SHA-256 was negotiated", Frames.encode(FramePipelineTest.PING, NONE), SHA256, PROTO),
                new Case("CRC-32C after SHA-256 was negotiated", ping, SHA256, PROTO),
                new Case("ERROR frame with NONE after negotiation",
                        Frames.encode(new Message.ConnectionError(ErrorCode.BUSY, "x"), NONE), SHA256, PROTO),
                new Case("request with NONE during the handshake", Frames.encode(FramePipelineTest.PING, NONE), null, PROTO),
                new Case("HELLO with NONE", Frames.encode(FramePipelineTest.GW_HELLO, NONE), null, PROTO),
                new Case("HELLO with SHA-256", Frames.encode(FramePipelineTest.GW_HELLO, SHA256), null, PROTO),
                // Types and opcodes
                new Case("frame type 0", Frames.raw(0, 0, new byte[0]), CRC32C, PROTO),
                new Case("frame type 8", Frames.raw(8, 0, new byte[0]), CRC32C, PROTO),
                new Case("frame type 0xFFFF", Frames.raw(0xFFFF, 0, new byte[0]), CRC32C, PROTO),
                new Case("unknown command opcode", request(b -> b.writeShort(0x7777)), CRC32C, ErrorCode.UNSUPPORTED),
                new Case("free lock opcode", request(b -> b.writeShort(Opcodes.UNHOLD + 1)), CRC32C,
                        ErrorCode.UNSUPPORTED),
                new Case("unknown result opcode", reply(b -> b.writeShort(0x7777)), CRC32C, PROTO),
                new Case("ACQUIRE mode 2", request(b -> b.writeShort(Opcodes.ACQUIRE).writeShort(2)
                        .writeBytes(new byte[] {'/', 'a', 2, 0})), CRC32C, PROTO),
                new Case("ACQUIRE scope 2", request(b -> b.writeShort(Opcodes.ACQUIRE).writeShort(2)
                        .writeBytes(new byte[] {'/', 'a', 0, 2})), CRC32C, PROTO),
                new Case("GRANT with a negative duration", reply(b -> b.writeShort(Opcodes.R_GRANT).writeLong(1)
                        .writeByte(0).writeByte(0).writeLong(-1).writeLong(0).writeByte(0)), CRC32C, PROTO),
                new Case("CHECKSUM length -2", request(b -> b.writeShort(Opcodes.CHECKSUM).writeShort(2)
                        .writeBytes(new byte[] {'/', 'a'}).writeLong(0).writeLong(-2)), CRC32C, ErrorCode.INVALID_ARGUMENT),
                new Case("CHECKSUM result with a short SHA-256", reply(b -> {
                    b.writeShort(Opcodes.R_CHECKSUM);
                    attr(b);
                    b.writeBytes(new byte[31]);
                }), CRC32C, PROTO),
                new Case("request without commands", Frames.raw(Opcodes.FRAME_REQUEST, 1, body(b -> b.writeLong(0).writeInt(0))),
                        CRC32C, PROTO),
                new Case("stray byte after the body", Frames.raw(Opcodes.FRAME_REQUEST, 1,
                        Frames.concat(body(b -> b.writeLong(0).writeInt(1).writeShort(Opcodes.PING).writeLong(42)),
                                new byte[] {0})), CRC32C, PROTO),
                new Case("bad HELLO magic", Frames.reseal(flip(hello, 16), CRC32C), null, ErrorCode.HANDSHAKE_REFUSED),
                new Case("HELLO listing a checksum twice", Frames.raw(Opcodes.FRAME_HELLO, 0, body(b -> {
                    b.writeInt(BodyCodec.MAGIC).writeShort(1).writeShort(1).writeShort(0).writeLong(0).writeShort(0);
                    b.writeByte(2).writeByte(1).writeByte(1).writeInt(1 << 20).writeByte(0).writeShort(0);
                })), null, PROTO),
                new Case("HELLO with unknown checksum code", Frames.raw(Opcodes.FRAME_HELLO, 0, body(b -> {
                    b.writeInt(BodyCodec.MAGIC).writeShort(1).writeShort(1).writeShort(0).writeLong(0).writeShort(0);
                    b.writeByte(1).writeByte(7).writeInt(1 << 20).writeByte(0).writeShort(0);
                })), null, PROTO),
                new Case("boolean holding 2", request(b -> b.writeShort(Opcodes.DELETE).writeShort(1).writeByte('/')
                        .writeByte(2)), CRC32C, PROTO),
                new Case("unknown file type", reply(b -> b.writeShort(Opcodes.R_ATTRS).writeByte(3).writeZero(28)),
                        CRC32C, PROTO),
                new Case("negative READ offset", request(b -> b.writeShort(Opcodes.READ).writeShort(1).writeByte('/')
                        .writeLong(-1).writeInt(1)), CRC32C, PROTO),
                new Case("negative READ length", request(b -> b.writeShort(Opcodes.READ).writeShort(1).writeByte('/')
                        .writeLong(0).writeInt(-1)), CRC32C, PROTO),
                // Lengths and counts that lie
                new Case("READ reply claiming a 2 GiB data field", reply(b -> {
                    b.writeShort(Opcodes.R_DATA);
                    attr(b);
                    b.writeInt(0x80000000).writeZero(40);
                }), CRC32C, PROTO),
                new Case("READ reply claiming a 4 GiB data field", reply(b -> {
                    b.writeShort(Opcodes.R_DATA);
                    attr(b);
                    b.writeInt(0xFFFFFFFF).writeZero(40);
                }), CRC32C, PROTO),
                new Case("WRITE claiming 2 GiB", request(b -> b.writeShort(Opcodes.WRITE).writeShort(1).writeByte('/')
                        .writeLong(0).writeByte(1).writeInt(Integer.MAX_VALUE).writeZero(30)), CRC32C, PROTO),
                new Case("reply claiming 2^31 results", Frames.raw(Opcodes.FRAME_REPLY, 1, body(b -> b.writeInt(0x80000000)
                        .writeShort(Opcodes.R_OK))), CRC32C, PROTO),
                new Case("request claiming 2^32-1 commands", Frames.raw(Opcodes.FRAME_REQUEST, 1, body(b -> b.writeLong(0)
                        .writeInt(-1).writeShort(Opcodes.STATFS))), CRC32C, PROTO),
                new Case("listing claiming 10^9 entries", reply(b -> {
                    b.writeShort(Opcodes.R_LISTING);
                    attr(b);
                    b.writeInt(1_000_000_000).writeZero(40);
                }), CRC32C, PROTO),
                new Case("xattrs claiming 2^31 entries", reply(b -> b.writeShort(Opcodes.R_XATTRS).writeInt(0x80000000)
                        .writeZero(12)), CRC32C, PROTO),
                new Case("string longer than the frame", request(b -> b.writeShort(Opcodes.STAT).writeShort(0xFFFF)
                        .writeByte('/')), CRC32C, PROTO),
                new Case("HELLO claiming 65535 features", Frames.raw(Opcodes.FRAME_HELLO, 0, body(b -> {
                    b.writeInt(BodyCodec.MAGIC).writeShort(1).writeShort(1).writeShort(0).writeLong(0).writeShort(0);
                    b.writeByte(1).writeByte(1).writeInt(1 << 20).writeByte(0).writeShort(0xFFFF).writeShort(0);
                })), null, PROTO),
                new Case("data length prefix cut short", reply(b -> {
                    b.writeShort(Opcodes.R_DATA);
                    attr(b);
                    b.writeShort(0);
                }), CRC32C, PROTO),
                new Case("PING value cut short", request(b -> b.writeShort(Opcodes.PING).writeInt(0)), CRC32C, PROTO),
                // Strings that are not UTF-8, or not shortest-form UTF-8
                new Case("byte 0xFF in a string", statWithPathBytes("2f ff"), CRC32C, PROTO),
                new Case("lone continuation byte", statWithPathBytes("2f 80"), CRC32C, PROTO),
                new Case("truncated 2-byte sequence", statWithPathBytes("2f c3"), CRC32C, PROTO),
                new Case("overlong '/' (C0 AF)", statWithPathBytes("2f 2e 2e c0 af"), CRC32C, PROTO),
                new Case("overlong NUL (C0 80)", statWithPathBytes("2f c0 80"), CRC32C, PROTO),
                new Case("overlong 3-byte '/' (E0 80 AF)", statWithPathBytes("2f e0 80 af"), CRC32C, PROTO),
                new Case("overlong 4-byte '/' (F0 80 80 AF)", statWithPathBytes("2f f0 80 80 af"), CRC32C, PROTO),
                new Case("UTF-8 encoded surrogate (ED A0 80)", statWithPathBytes("2f ed a0 80"), CRC32C, PROTO),
                new Case("code point above U+10FFFF", statWithPathBytes("2f f4 90 80 80"), CRC32C, PROTO));
    }

    static byte[] flip(byte[] frame, int index) {
        byte[] copy = frame.clone();
        copy[index] ^= 0x01;
        return copy;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void decodeFrameRefuses(Case c) {
        ByteBuf in = Unpooled.wrappedBuffer(c.bytes());
        try {
            long before = allocatedBytes();
            assertThatThrownBy(() -> FrameDecoder.decodeFrame(in, c.negotiated(), Frames.MAX))
                    .isInstanceOf(ProtocolException.class)
                    .satisfies(e -> assertThat(((ProtocolException) e).code()).isEqualTo(c.code()));
            // No lying length may make the decoder allocate what the frame does not hold.
            assertThat(allocatedBytes() - before).as("bytes allocated").isLessThan(1 << 20);
        } finally {
            in.release();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void thePipelineAnswersWithOneErrorFrameAndCloses(Case c) {
        EmbeddedChannel ch = Frames.channel(c.negotiated());
        // The bad frame, then a good one in the same read: the good one must be discarded.
        byte[] good = Frames.encode(FramePipelineTest.PING, c.negotiated() == null ? CRC32C : c.negotiated());
        assertThat(ch.writeInbound(Unpooled.wrappedBuffer(c.bytes(), good))).isFalse();
        assertRefusedWith(ch, c.negotiated(), c.code());
    }

    /** The same, with the bad frame trickling in byte by byte. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void thePipelineRefusesABadFrameFedByteByByte(Case c) {
        EmbeddedChannel ch = Frames.channel(c.negotiated());
        for (byte b : c.bytes()) {
            if (!ch.isOpen()) {
                break;
            }
            assertThat(ch.writeInbound(Unpooled.wrappedBuffer(new byte[] {b}))).isFalse();
        }
        assertRefusedWith(ch, c.negotiated(), c.code());
    }

    static void assertRefusedWith(EmbeddedChannel ch, ChecksumAlgorithm negotiated, ErrorCode code) {
        ch.checkException();
        assertThat((Object) ch.readInbound()).isNull();
        assertThat(ch.isOpen()).as("closed").isFalse();
        ByteBuf out = ch.readOutbound();
        assertThat(out).as("an ERROR frame").isNotNull();
        try {
            Message m = FrameDecoder.decodeFrame(out, negotiated, Frames.MAX);
            assertThat(m).isInstanceOf(Message.ConnectionError.class);
            assertThat(((Message.ConnectionError) m).code()).isEqualTo(code);
            assertThat(((Message.ConnectionError) m).message()).isNotBlank();
            assertThat(out.isReadable()).isFalse();
        } finally {
            out.release();
        }
        assertThat((Object) ch.readOutbound()).as("exactly one frame").isNull();
        assertThat(ch.finish()).isFalse();
    }

    @Test
    void anOversizedFrameIsRefusedFromItsLengthFieldAlone() {
        EmbeddedChannel ch = Frames.channel(CRC32C);
        ByteBuf header = Unpooled.buffer().writeInt(Frames.MAX + 1);
        assertThat(ch.writeInbound(header)).isFalse();
        assertThat(header.refCnt()).as("nothing kept").isZero();
        assertRefusedWith(ch, CRC32C, ErrorCode.TOO_LARGE);
    }

    @Test
    void aFrameOfExactlyTheLimitIsAccepted() {
        int max = 64 * 1024;
        byte[] data = new byte[max - 12 - 4 - (8 + 4 + 2 + 2 + 1 + 8 + 1 + 4)];
        Message m = new Message.Request(5, 0, List.of(new Command.Write("/", 0, java.nio.ByteBuffer.wrap(data), true)));
        byte[] frame = Frames.encode(m, CRC32C);
        assertThat(frame.length).isEqualTo(4 + max);
        assertThat(Frames.decode(frame, CRC32C)).isEqualTo(m);
        ByteBuf in = Unpooled.wrappedBuffer(frame);
        try {
            assertThatThrownBy(() -> FrameDecoder.decodeFrame(in, CRC32C, max - 1))
                    .isInstanceOfSatisfying(ProtocolException.class,
                            e -> assertThat(e.code()).isEqualTo(ErrorCode.TOO_LARGE));
        } finally {
            in.release();
        }
    }

    /** Pinned rule: before the handshake completes an ERROR frame is read whatever its checksum. */
    @ParameterizedTest
    @ValueSource(strings = {"NONE", "CRC32C", "SHA256"})
    void anErrorFrameDuringTheHandshakeIsReadWithAnyChecksum(ChecksumAlgorithm alg) {
        Message.ConnectionError e = new Message.ConnectionError(ErrorCode.HANDSHAKE_REFUSED, "no");
        assertThat(Frames.decode(Frames.encode(e, alg), null)).isEqualTo(e);
    }

    @Test
    void anUnknownErrorCodeFromANewerPeerReadsAsInternal() {
        byte[] frame = Frames.raw(Opcodes.FRAME_REPLY, 1, body(b -> b.writeInt(1).writeShort(Opcodes.R_ERROR)
                .writeShort(4242).writeShort(0)));
        assertThat(Frames.decode(frame, CRC32C))
                .isEqualTo(new Message.Reply(1, List.of(new Result.Error(ErrorCode.INTERNAL, ""))));
    }

    @Test
    void bodyCodecAloneRefusesATruncatedLengthPrefixWithAProtocolException() {
        // BodyCodec.decode is public and promises ProtocolException for anything malformed.
        ByteBuf in = Unpooled.wrappedBuffer(body(b -> {
            b.writeInt(1).writeShort(Opcodes.R_DATA);
            attr(b);
            b.writeShort(0);
        }));
        try {
            assertThatThrownBy(() -> BodyCodec.decode(Opcodes.FRAME_REPLY, 1, in))
                    .isInstanceOf(ProtocolException.class);
        } finally {
            in.release();
        }
    }

    @Test
    void attrsDecodeAsWritten() {
        Attr a = new Attr(FileType.FILE, 1, 2, 0644, 3);
        assertThat(Frames.decode(reply(b -> {
            b.writeShort(Opcodes.R_ATTRS);
            attr(b);
        }), CRC32C)).isEqualTo(new Message.Reply(9, List.of(new Result.Attrs(a))));
    }

    private static long allocatedBytes() {
        return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean()).getCurrentThreadAllocatedBytes();
    }

}
