package org.pohmelfs.protocol.codec;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.pohmelfs.protocol.Attr;
import org.pohmelfs.protocol.ChecksumAlgorithm;
import org.pohmelfs.protocol.Command;
import org.pohmelfs.protocol.DirEntry;
import org.pohmelfs.protocol.ErrorCode;
import org.pohmelfs.protocol.FileType;
import org.pohmelfs.protocol.Message;
import org.pohmelfs.protocol.NodeInfo;
import org.pohmelfs.protocol.Result;

/** The real pipeline (FrameDecoder + FrameEncoder) in an EmbeddedChannel. */
class FramePipelineTest {

    // Pinned wire bytes. The CRC-32C trailers were computed by an independent implementation,
    // not by Checksums. A test failing here means the wire format changed: that needs a
    // protocol version bump and a docs/protocol.md change, not a new fixture.

    /** REQUEST txid 1, epoch 0, [PING 42], CRC-32C. */
    static final String PING_REQUEST = """
            00000026 0003 0001 0000000000000001
            0000000000000000 00000001 0001 000000000000002a
            1215d31c""";

    /** REPLY txid 1, [PONG 42], CRC-32C. */
    static final String PONG_REPLY = """
            0000001e 0004 0001 0000000000000001
            00000001 0003 000000000000002a
            bf99a7d5""";

    /** HELLO v1..1 "gw-1" incarnation 0x0102..08 "prod" [CRC32C, SHA256] 4 MiB plaintext {"locks"}. */
    static final String HELLO = """
            0000003d 0001 0001 0000000000000000
            50484d46 0001 0001 0004 67772d31 0102030405060708 0004 70726f64
            02 01 02 00400000 00 0001 0005 6c6f636b73
            f23610f2""";

    /** REQUEST txid 7, epoch 0, [ACQUIRE "/a" exclusive subtree], CRC-32C. */
    static final String ACQUIRE_REQUEST = """
            00000024 0003 0001 0000000000000007
            0000000000000000 00000001 0040 0002 2f61 01 01
            73f71e91""";

    /** REPLY txid 7, [GRANT lease 3, X, SUBTREE, 10 s, epoch 0, FILE size 5 mtime 1000 0644 version 9]. */
    static final String GRANT_REPLY = """
            0000004e 0004 0001 0000000000000007
            00000001 000a 0000000000000003 01 01 00000002540be400 0000000000000000
            01 01 0000000000000005 00000000000003e8 000001a4 0000000000000009
            79190e72""";

    /** PUSH id 1, RECALL_EXCLUSIVE "/a", text "3" (the lease id). */
    static final String RECALL_PUSH = """
            00000019 0005 0001 0000000000000001
            0003 0002 2f61 0001 33
            078f6498""";

    static final Message PING = new Message.Request(1, 0, List.of(new Command.Ping(42)));
    static final Message PONG = new Message.Reply(1, List.of(new Result.Pong(42)));
    static final Message.Hello GW_HELLO = new Message.Hello(1, 1, "gw-1", 0x0102030405060708L, "prod",
            List.of(ChecksumAlgorithm.CRC32C, ChecksumAlgorithm.SHA256), 4 * 1024 * 1024, false, Set.of("locks"));

    @Test
    void pingRequestIsPinnedByteForByte() {
        assertPinned(PING, PING_REQUEST, ChecksumAlgorithm.CRC32C);
    }

    @Test
    void pongReplyIsPinnedByteForByte() {
        assertPinned(PONG, PONG_REPLY, ChecksumAlgorithm.CRC32C);
    }

    @Test
    void acquireRequestIsPinnedByteForByte() {
        assertPinned(new Message.Request(7, 0, List.of(new Command.Acquire("/a", true, true))), ACQUIRE_REQUEST,
                ChecksumAlgorithm.CRC32C);
    }

    @Test
    void grantReplyIsPinnedByteForByte() {
        assertPinned(new Message.Reply(7, List.of(new Result.Grant(3, true, true, 10_000_000_000L, 0,
                new Attr(FileType.FILE, 5, 1000, 0644, 9)))), GRANT_REPLY, ChecksumAlgorithm.CRC32C);
    }

    @Test
    void recallPushIsPinnedByteForByte() {
        assertPinned(new Message.Push(1, org.pohmelfs.protocol.Opcodes.PUSH_RECALL_EXCLUSIVE, "/a", "3"), RECALL_PUSH,
                ChecksumAlgorithm.CRC32C);
    }

    @Test
    void helloIsPinnedByteForByte() {
        assertPinned(GW_HELLO, HELLO, null);
    }

    private static void assertPinned(Message msg, String fixture, ChecksumAlgorithm negotiated) {
        byte[] expected = Frames.hex(fixture);
        assertThat(Frames.hex(Frames.encode(msg, negotiated == null ? FrameChecksum.HANDSHAKE : negotiated)))
                .isEqualTo(Frames.hex(expected));
        assertThat(Frames.decode(expected, negotiated)).isEqualTo(msg);

        EmbeddedChannel ch = Frames.channel(negotiated);
        assertThat(ch.writeOutbound(msg)).isTrue();
        ByteBuf out = ch.readOutbound();
        try {
            assertThat(ByteBufUtil.hexDump(out)).isEqualTo(Frames.hex(expected));
        } finally {
            out.release();
        }
        assertThat(ch.writeInbound(Unpooled.wrappedBuffer(expected))).isTrue();
        assertThat((Message) ch.readInbound()).isEqualTo(msg);
        assertThat(ch.finish()).isFalse();
    }

    /** Several frames of every shape, as one connection after the handshake would carry them. */
    static List<Message> traffic() {
        Attr file = new Attr(FileType.FILE, 5, 1_700_000_000_000_000_000L, 0644, 7);
        Attr dir = new Attr(FileType.DIRECTORY, 0, 1_700_000_000_000_000_001L, 0755, 9);
        return List.of(
                PING,
                new Message.Request(2, 3, List.of(
                        new Command.Write("/docs/Grüße/日本.txt", 0, ByteBuffer.wrap("hello".getBytes(StandardCharsets.UTF_8)), true),
                        new Command.Stat("/docs/Grüße/日本.txt"))),
                PONG,
                new Message.Reply(2, List.of(new Result.Attrs(file), new Result.Data(file, ByteBuffer.allocate(0)))),
                new Message.Reply(3, List.of(new Result.Listing(dir,
                        List.of(new DirEntry("a", file), new DirEntry("😀", dir)), false))),
                new Message.Push(17, 1, "/docs", "note"),
                new Message.PushAck(17, new Result.Error(ErrorCode.NOT_FOUND, "gone")));
    }

    @ParameterizedTest
    @EnumSource(ChecksumAlgorithm.class)
    void aStreamSplitAtEveryOffsetYieldsTheSameMessages(ChecksumAlgorithm alg) {
        List<Message> expected = traffic();
        byte[] stream = Frames.concat(expected.stream().map(m -> Frames.encode(m, alg)).toArray(byte[][]::new));
        for (int cut = 0; cut <= stream.length; cut++) {
            EmbeddedChannel ch = Frames.channel(alg);
            ch.writeInbound(Unpooled.wrappedBuffer(stream, 0, cut));
            ch.writeInbound(Unpooled.wrappedBuffer(stream, cut, stream.length - cut));
            assertThat(drain(ch)).as("split at %d", cut).isEqualTo(expected);
            assertThat(ch.finish()).isFalse();
        }
    }

    @ParameterizedTest
    @EnumSource(ChecksumAlgorithm.class)
    void aStreamFedByteByByteYieldsTheSameMessages(ChecksumAlgorithm alg) {
        List<Message> expected = traffic();
        byte[] stream = Frames.concat(expected.stream().map(m -> Frames.encode(m, alg)).toArray(byte[][]::new));
        EmbeddedChannel ch = Frames.channel(alg);
        for (byte b : stream) {
            ch.writeInbound(Unpooled.wrappedBuffer(new byte[] {b}));
        }
        assertThat(drain(ch)).isEqualTo(expected);
        assertThat(ch.finish()).isFalse();
    }

    /**
     * A node-side channel: a HELLO in CRC-32C, answered with a WELCOME choosing SHA-256, then
     * requests in SHA-256, all arriving in one stream split anywhere. The decoder must switch
     * algorithms exactly between the HELLO and the first request.
     */
    @Test
    void theHandshakeSwitchesTheDecoderBetweenPipelinedFrames() {
        Message.Welcome welcome = new Message.Welcome(1, "node-1", 99, "prod", ChecksumAlgorithm.SHA256,
                1 << 20, 4, new NodeInfo(10, 2, 8, 3, 0, false), Set.of("locks"));
        List<Message> after = traffic().stream().filter(m -> m instanceof Message.Request).toList();
        byte[] stream = Frames.concat(Frames.hex(HELLO),
                Frames.concat(after.stream().map(m -> Frames.encode(m, ChecksumAlgorithm.SHA256)).toArray(byte[][]::new)));
        List<Message> expected = new ArrayList<>();
        expected.add(GW_HELLO);
        expected.addAll(after);
        for (int cut = 0; cut <= stream.length; cut++) {
            EmbeddedChannel ch = Frames.channel(null);
            ch.pipeline().addLast(new ChannelInboundHandlerAdapter() {
                @Override
                public void channelRead(ChannelHandlerContext ctx, Object msg) {
                    if (msg instanceof Message.Hello) {
                        ctx.writeAndFlush(welcome);
                    }
                    ctx.fireChannelRead(msg);
                }
            });
            ch.writeInbound(Unpooled.wrappedBuffer(stream, 0, cut));
            ch.writeInbound(Unpooled.wrappedBuffer(stream, cut, stream.length - cut));
            assertThat(drain(ch)).as("split at %d", cut).isEqualTo(expected);
            ByteBuf out = ch.readOutbound();
            try {
                // The WELCOME itself still carries the handshake checksum.
                byte[] frame = ByteBufUtil.getBytes(out);
                assertThat(frame[7] & 0x3).isEqualTo(ChecksumAlgorithm.CRC32C.code());
                assertThat(Frames.decode(frame, null)).isEqualTo(welcome);
            } finally {
                out.release();
            }
            assertThat(FrameChecksum.of(ch).negotiated()).isEqualTo(ChecksumAlgorithm.SHA256);
            assertThat(ch.finish()).isFalse();
        }
    }

    @Test
    void theEncoderUsesTheNegotiatedAlgorithmAfterAWelcome() {
        EmbeddedChannel ch = Frames.channel(null);
        Message.Welcome welcome = new Message.Welcome(1, "n", 1, "c", ChecksumAlgorithm.NONE, 1 << 16, 0,
                new NodeInfo(0, 0, 0, 0, 0, true), Set.of());
        ch.writeOutbound(welcome, PONG);
        ByteBuf first = ch.readOutbound();
        ByteBuf second = ch.readOutbound();
        try {
            assertThat(first.getUnsignedShort(6)).isEqualTo(ChecksumAlgorithm.CRC32C.code());
            assertThat(second.getUnsignedShort(6)).isEqualTo(ChecksumAlgorithm.NONE.code());
            assertThat(Frames.decode(ByteBufUtil.getBytes(second), ChecksumAlgorithm.NONE)).isEqualTo(PONG);
        } finally {
            first.release();
            second.release();
        }
        assertThat(ch.finish()).isFalse();
    }

    static List<Message> drain(EmbeddedChannel ch) {
        List<Message> got = new ArrayList<>();
        for (Object m; (m = ch.readInbound()) != null; ) {
            got.add((Message) m);
        }
        return got;
    }
}
