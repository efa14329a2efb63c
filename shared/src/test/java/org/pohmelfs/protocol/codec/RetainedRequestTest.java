package org.pohmelfs.protocol.codec;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.pohmelfs.protocol.ChecksumAlgorithm;
import org.pohmelfs.protocol.Command;
import org.pohmelfs.protocol.Message;

/**
 * A server-side decoder hands WRITE data on as views of the frame ({@link RetainedRequest}):
 * the same requests as a copying decoder, each frame released exactly when its holder is, and
 * a held request's data unchanged while later frames arrive through the same cumulation.
 */
class RetainedRequestTest {
    private static final ChecksumAlgorithm ALG = ChecksumAlgorithm.CRC32C;

    private static ByteBuffer random(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return ByteBuffer.wrap(b);
    }

    private static List<Message> traffic(int writeBytes) {
        return List.of(
                new Message.Request(1, 0, List.of(new Command.Write("/a", 0, random(writeBytes, 1), true, true))),
                new Message.Request(2, 0, List.of(new Command.Stat("/a"))),
                new Message.Request(3, 7, List.of(new Command.Mkdir("/d", true, 0755),
                        new Command.Write("/d/b", 5, random(writeBytes / 3, 2), true),
                        new Command.Write("/d/c", 0, ByteBuffer.allocate(0), true))),
                new Message.Request(4, 0, List.of(new Command.Write("/e", 0, ByteBuffer.allocate(0), true))),
                new Message.Request(5, 0, List.of(new Command.Write("/a", writeBytes, random(writeBytes, 3), false, true))));
    }

    private static EmbeddedChannel server() {
        EmbeddedChannel ch = new EmbeddedChannel(new FrameDecoder(LinkLimit.MAX, true));
        FrameChecksum.of(ch).negotiate(ALG);
        return ch;
    }

    /** Frames per the test's split, read back; retained ones are collected (not released) in {@code held}. */
    private static List<Message> feed(EmbeddedChannel ch, byte[] stream, int[] cuts, List<RetainedRequest> held,
                                      List<ByteBuf> pieces) {
        List<Message> out = new ArrayList<>();
        int at = 0;
        for (int cut : cuts) {
            // Direct, pooled input like a socket read; the decoder releases it.
            ByteBuf piece = PooledByteBufAllocator.DEFAULT.directBuffer(cut - at).writeBytes(stream, at, cut - at);
            pieces.add(piece);
            ch.writeInbound(piece);
            at = cut;
            for (Object m; (m = ch.readInbound()) != null; ) {
                if (m instanceof RetainedRequest r) {
                    held.add(r);
                    out.add(r.request());
                } else {
                    out.add((Message) m);
                }
            }
        }
        return out;
    }

    @Test
    void aStreamSplitAtEveryOffsetYieldsTheSameRequestsWithDataInRetainedFrames() {
        List<Message> expected = traffic(120);
        byte[] stream = Frames.concat(expected.stream().map(m -> Frames.encode(m, ALG)).toArray(byte[][]::new));
        for (int cut = 0; cut <= stream.length; cut++) {
            EmbeddedChannel ch = server();
            List<RetainedRequest> held = new ArrayList<>();
            List<ByteBuf> pieces = new ArrayList<>();
            List<Message> got = feed(ch, stream, new int[] {cut, stream.length}, held, pieces);
            // Checked while every frame is still held: later frames must not have overwritten earlier data.
            assertThat(got).as("split at %d", cut).isEqualTo(expected);
            assertThat(held).as("the requests with WRITE data, and only those").hasSize(3);
            assertThat(held.stream().map(r -> r.request().txid()).toList()).containsExactly(1L, 3L, 5L);
            held.forEach(RetainedRequest::release);
            assertThat(ch.finish()).isFalse();
            assertThat(pieces).as("every piece of input freed once the requests are released")
                    .allMatch(b -> b.refCnt() == 0);
        }
    }

    @Test
    void largeFramesInSocketSizedPiecesKeepTheirDataWhileLaterFramesArrive() {
        // 1 MiB WRITEs arriving in 64 KiB pieces: the decoder grows its cumulation to whole pooled
        // frames, while earlier frames are still held by requests that have not run yet.
        int size = 1 << 20;
        List<Message> expected = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            expected.add(new Message.Request(i, 0, List.of(new Command.Write("/big", (long) i * size,
                    random(size, 10 + i), false, true))));
        }
        byte[] stream = Frames.concat(expected.stream().map(m -> Frames.encode(m, ALG)).toArray(byte[][]::new));
        Random r = new Random(42);
        List<Integer> cuts = new ArrayList<>();
        for (int at = 0; at < stream.length; ) {
            at = Math.min(stream.length, at + 1 + r.nextInt(64 << 10));
            cuts.add(at);
        }
        EmbeddedChannel ch = server();
        List<RetainedRequest> held = new ArrayList<>();
        List<ByteBuf> pieces = new ArrayList<>();
        List<Message> got = feed(ch, stream, cuts.stream().mapToInt(Integer::intValue).toArray(), held, pieces);
        assertThat(got).isEqualTo(expected);
        assertThat(held).hasSize(6);
        for (RetainedRequest h : held) {
            Command.Write w = (Command.Write) h.request().commands().getFirst();
            assertThat(w.data().isDirect()).as("a direct view: a FileChannel writes it without a copy").isTrue();
            h.release();
        }
        assertThat(ch.finish()).isFalse();
        assertThat(pieces).allMatch(b -> b.refCnt() == 0);
    }

    @Test
    void aClientSideDecoderStillCopies() {
        EmbeddedChannel ch = new EmbeddedChannel(new FrameDecoder(LinkLimit.MAX));
        FrameChecksum.of(ch).negotiate(ALG);
        Message m = traffic(100).getFirst();
        ch.writeInbound(Unpooled.wrappedBuffer(Frames.encode(m, ALG)));
        Object got = ch.readInbound();
        assertThat(got).isEqualTo(m);
        assertThat(ch.finish()).isFalse();
    }

    /** A frame limit above the test's largest frame. */
    private static final class LinkLimit {
        static final int MAX = 4 << 20;
    }
}
