package org.pohmelfs.protocol.codec;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.List;
import java.util.Random;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.Shrinkable;
import org.pohmelfs.protocol.ChecksumAlgorithm;
import org.pohmelfs.protocol.Message;
import org.pohmelfs.protocol.ProtocolException;

/**
 * Seeded fuzzing of the decoder. decodeFrame must return a message, return null (more bytes
 * needed, nothing consumed) or throw {@link ProtocolException}; the pipeline must never let an
 * exception out. Reproduce a failure with {@code -Dfuzz.seed=N} (the seed is in the message).
 */
class FrameFuzzTest {
    private static final long SEED = Long.getLong("fuzz.seed", 0x9E3779B97F4A7C15L);
    private static final int ITERATIONS = Integer.getInteger("fuzz.iterations", 4000);

    /**
     * Valid messages of every kind from the jqwik arbitraries, with a fixed seed (so these tests
     * are jqwik examples: generators need a jqwik thread).
     */
    private static List<Message> samples(int n) {
        Arbitrary<Message> arbitrary = MessageArbitraries.messages();
        return arbitrary.generator(1000).stream(new Random(SEED)).limit(n).map(Shrinkable::value).toList();
    }

    @Example
    void randomBytesNeverBreakDecodeFrame() {
        Random seeds = new Random(SEED);
        for (int i = 0; i < ITERATIONS; i++) {
            long seed = seeds.nextLong();
            Random r = new Random(seed);
            byte[] bytes = new byte[r.nextInt(200)];
            r.nextBytes(bytes);
            if (bytes.length >= 4 && r.nextBoolean()) {
                // A plausible length, so the decoder looks past the length field.
                int length = r.nextInt(bytes.length);
                bytes[0] = 0;
                bytes[1] = 0;
                bytes[2] = (byte) (length >> 8);
                bytes[3] = (byte) length;
            }
            decodeAll(bytes, pick(r), seed);
        }
    }

    @Example
    void mutatedValidFramesNeverBreakDecodeFrame() {
        List<Message> samples = samples(200);
        Random seeds = new Random(SEED + 1);
        for (int i = 0; i < ITERATIONS; i++) {
            long seed = seeds.nextLong();
            Random r = new Random(seed);
            Message msg = samples.get(r.nextInt(samples.size()));
            ChecksumAlgorithm alg = handshake(msg) ? FrameChecksum.HANDSHAKE : pick(r);
            byte[] frame = mutate(Frames.encode(msg, alg), r);
            // Half the time fix length and trailer, so the body parser sees the mutation.
            if (frame.length >= 4 + 12 + alg.trailerLength() && r.nextBoolean()) {
                frame = Frames.reseal(frame, alg);
            }
            decodeAll(frame, handshake(msg) ? null : alg, seed);
        }
    }

    @Example
    void mutatedStreamsNeverThrowOutOfThePipeline() {
        List<Message> samples = samples(200);
        Random seeds = new Random(SEED + 2);
        for (int i = 0; i < ITERATIONS / 8; i++) {
            long seed = seeds.nextLong();
            Random r = new Random(seed);
            ChecksumAlgorithm alg = pick(r);
            byte[][] frames = new byte[1 + r.nextInt(4)][];
            for (int k = 0; k < frames.length; k++) {
                Message msg = samples.get(r.nextInt(samples.size()));
                frames[k] = Frames.encode(msg, alg);
            }
            byte[] stream = Frames.concat(frames);
            if (r.nextInt(4) != 0) {
                stream = r.nextBoolean() ? mutate(stream, r) : Frames.concat(stream, randomBytes(r, 1 + r.nextInt(40)));
            }
            EmbeddedChannel ch = Frames.channel(alg);
            try {
                int at = 0;
                while (at < stream.length && ch.isOpen()) {
                    int n = Math.min(stream.length - at, 1 + r.nextInt(64));
                    ch.writeInbound(Unpooled.wrappedBuffer(stream, at, n));
                    at += n;
                }
                ch.checkException();
                for (Object m; (m = ch.readInbound()) != null; ) {
                    assertThat(m).isInstanceOf(Message.class);
                }
                int errors = 0;
                for (Object o; (o = ch.readOutbound()) != null; ) {
                    ByteBuf out = (ByteBuf) o;
                    try {
                        assertThat(FrameDecoder.decodeFrame(out, alg, Frames.MAX))
                                .isInstanceOf(Message.ConnectionError.class);
                        errors++;
                    } finally {
                        out.release();
                    }
                }
                assertThat(errors).isLessThanOrEqualTo(1);
                assertThat(errors == 1).isEqualTo(!ch.isOpen());
                ch.finishAndReleaseAll();
            } catch (AssertionError | RuntimeException e) {
                throw new AssertionError("pipeline fuzz case failed; reproduce with -Dfuzz.seed=" + SEED
                        + " (case seed " + seed + ")", e);
            }
        }
    }

    /**
     * The server's decoding (WRITE data as views of a retained frame) on mutated frames: whatever
     * it returns or throws, once what it returned is released nothing holds the input any more,
     * and a retained request's data read the same as a copying decode of the same frame.
     */
    @Example
    void mutatedFramesNeverLeaveARetainedFrameBehind() {
        List<Message> samples = samples(200);
        Random seeds = new Random(SEED + 3);
        for (int i = 0; i < ITERATIONS; i++) {
            long seed = seeds.nextLong();
            Random r = new Random(seed);
            Message msg = samples.get(r.nextInt(samples.size()));
            ChecksumAlgorithm alg = handshake(msg) ? FrameChecksum.HANDSHAKE : pick(r);
            byte[] frame = Frames.encode(msg, alg);
            if (r.nextInt(4) != 0) {
                frame = mutate(frame, r);
                if (frame.length >= 4 + 12 + alg.trailerLength() && r.nextBoolean()) {
                    frame = Frames.reseal(frame, alg);
                }
            }
            ChecksumAlgorithm negotiated = handshake(msg) ? null : alg;
            ByteBuf in = io.netty.buffer.PooledByteBufAllocator.DEFAULT.directBuffer(frame.length).writeBytes(frame);
            try {
                Object m;
                try {
                    m = FrameDecoder.decodeFrame(in, negotiated, Frames.MAX, true);
                } catch (ProtocolException expected) {
                    m = null;
                }
                if (m instanceof RetainedRequest retained) {
                    assertThat(retained.refCnt()).isEqualTo(1);
                    assertThat(retained.request()).as("the same request as a copying decode")
                            .isEqualTo(Frames.decode(java.util.Arrays.copyOf(frame, in.readerIndex()), negotiated));
                    retained.release();
                } else if (m != null) {
                    assertThat(m).isInstanceOf(Message.class);
                }
                assertThat(in.refCnt()).as("nothing retained after release").isEqualTo(1);
            } catch (AssertionError | RuntimeException e) {
                throw new AssertionError("retained fuzz case failed; reproduce with -Dfuzz.seed=" + SEED
                        + " (case seed " + seed + ", input " + Frames.hex(frame) + ")", e);
            } finally {
                in.release();
            }
        }
    }

    /** Decodes frames from {@code bytes} until it runs out, needs more, or refuses. */
    private static void decodeAll(byte[] bytes, ChecksumAlgorithm negotiated, long seed) {
        ByteBuf in = Unpooled.wrappedBuffer(bytes);
        try {
            while (true) {
                int before = in.readerIndex();
                Message m;
                try {
                    m = FrameDecoder.decodeFrame(in, negotiated, Frames.MAX);
                } catch (ProtocolException expected) {
                    assertThat(expected.code()).isNotNull();
                    return;
                }
                if (m == null) {
                    assertThat(in.readerIndex()).as("null consumes nothing").isEqualTo(before);
                    return;
                }
                assertThat(in.readerIndex()).as("a message consumes its frame").isGreaterThan(before);
            }
        } catch (Throwable t) {
            throw new AssertionError("decodeFrame fuzz case failed; reproduce with -Dfuzz.seed=" + SEED
                    + " (case seed " + seed + ", input " + Frames.hex(bytes) + ")", t);
        } finally {
            in.release();
        }
    }

    private static byte[] mutate(byte[] frame, Random r) {
        byte[] out = frame.clone();
        switch (r.nextInt(5)) {
            case 0 -> { // flip random bits
                for (int k = 1 + r.nextInt(3); k > 0; k--) {
                    out[r.nextInt(out.length)] ^= (byte) (1 << r.nextInt(8));
                }
            }
            case 1 -> { // overwrite a run with random or extreme bytes
                int at = r.nextInt(out.length);
                int n = Math.min(out.length - at, 1 + r.nextInt(8));
                byte fill = (byte) (r.nextBoolean() ? 0xFF : 0x7F);
                for (int k = 0; k < n; k++) {
                    out[at + k] = r.nextBoolean() ? fill : (byte) r.nextInt();
                }
            }
            case 2 -> out = java.util.Arrays.copyOf(out, r.nextInt(out.length)); // truncate
            case 3 -> out = Frames.concat(out, randomBytes(r, 1 + r.nextInt(16))); // extend
            default -> { // cut a piece out of the middle
                int at = r.nextInt(out.length);
                int n = Math.min(out.length - at, 1 + r.nextInt(8));
                byte[] cut = new byte[out.length - n];
                System.arraycopy(out, 0, cut, 0, at);
                System.arraycopy(out, at + n, cut, at, out.length - at - n);
                out = cut;
            }
        }
        return out;
    }

    private static byte[] randomBytes(Random r, int n) {
        byte[] b = new byte[n];
        r.nextBytes(b);
        return b;
    }

    private static ChecksumAlgorithm pick(Random r) {
        ChecksumAlgorithm[] all = ChecksumAlgorithm.values();
        return all[r.nextInt(all.length)];
    }

    private static boolean handshake(Message m) {
        return m instanceof Message.Hello || m instanceof Message.Welcome;
    }

}
