package org.pohmelfs.bench;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.pohmelfs.protocol.Attr;
import org.pohmelfs.protocol.ChecksumAlgorithm;
import org.pohmelfs.protocol.Command;
import org.pohmelfs.protocol.DirEntry;
import org.pohmelfs.protocol.FileType;
import org.pohmelfs.protocol.Message;
import org.pohmelfs.protocol.Result;
import org.pohmelfs.protocol.codec.FrameDecoder;
import org.pohmelfs.protocol.codec.FrameEncoder;

/**
 * Frame encode and decode of the messages that dominate a node's traffic, with the checksum
 * every frame carries. Buffers come from Netty's pooled allocator, direct, as on a channel.
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar Codec}. The frame size of each
 * case is printed at setup, to turn ops/s into MB/s.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(1)
public class CodecBenchmark {

    /** The message shapes measured. */
    public enum Payload {
        /** A 4 KiB WRITE request (a gateway's typical small-file write). */
        WRITE_4K,
        /** The reply to a 4 KiB READ: Result.Data with attributes. */
        READ_REPLY_4K,
        /** A 1 MiB WRITE request: one chunk of a streamed upload. */
        WRITE_1M,
        /** A LIST reply of 1000 entries with attributes. */
        LIST_1000
    }

    @Param
    public Payload payload;

    @Param({"CRC32C", "NONE"})
    public ChecksumAlgorithm checksum;

    private final ByteBufAllocator alloc = PooledByteBufAllocator.DEFAULT;
    private Message message;
    private ByteBuf frame;
    private int frameSize;

    @Setup(Level.Trial)
    public void setUp() {
        Random random = new Random(42);
        Attr file = new Attr(FileType.FILE, 1 << 20, 1_700_000_000_000_000_000L, 0644, 12345);
        message = switch (payload) {
            case WRITE_4K -> new Message.Request(1, 7, List.of(
                    new Command.Write("/projects/pohmelfs/data/file-000042.bin", 8192, bytes(random, 4096), false)));
            case READ_REPLY_4K -> new Message.Reply(1, List.of(new Result.Data(file, bytes(random, 4096))));
            case WRITE_1M -> new Message.Request(1, 7, List.of(
                    new Command.Write("/projects/pohmelfs/data/big.bin", 1 << 20, bytes(random, 1 << 20), false)));
            case LIST_1000 -> {
                List<DirEntry> entries = new ArrayList<>(1000);
                for (int i = 0; i < 1000; i++) {
                    entries.add(new DirEntry("entry-" + i + "-report.pdf", file));
                }
                yield new Message.Reply(1, List.of(new Result.Listing(
                        new Attr(FileType.DIRECTORY, 0, 1_700_000_000_000_000_000L, 0755, 99), entries, true)));
            }
        };
        frame = alloc.directBuffer();
        FrameEncoder.encode(message, checksum, frame);
        frameSize = frame.readableBytes();
        // Printed into JMH's own console report, next to the figures it explains.
        System.out.println("\n" + payload + " " + checksum + ": frame of " + frameSize + " bytes");
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        frame.release();
    }

    private static ByteBuffer bytes(Random random, int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return ByteBuffer.wrap(b);
    }

    /** One frame written into a fresh pooled direct buffer, as MessageToByteEncoder does. */
    @Benchmark
    public int encode() {
        ByteBuf out = alloc.directBuffer(frameSize);
        try {
            FrameEncoder.encode(message, checksum, out);
            return out.writerIndex();
        } finally {
            out.release();
        }
    }

    /** One whole frame, already in a pooled direct buffer, checked and parsed into a Message. */
    @Benchmark
    public Message decode() {
        frame.readerIndex(0);
        return FrameDecoder.decodeFrame(frame, checksum, Integer.MAX_VALUE);
    }
}
