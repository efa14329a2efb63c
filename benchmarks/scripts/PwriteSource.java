import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Locale;
import java.util.Random;

/**
 * What a 1 MiB buffered {@code pwrite} into the page cache costs in CPU, by the kind of source
 * buffer (docs/benchmarks-node.md, "Streaming write"): {@code hot} one reused direct buffer,
 * {@code ring} 12 direct buffers in turn, {@code heap} a heap array (the JDK copies it into its
 * temporary direct buffer first). Each direct buffer is refilled before its write, as a socket
 * read would fill a frame; "fill" is that copy's share.
 *
 * <pre>java benchmarks/scripts/PwriteSource.java hot|ring|heap MIB [DIR]</pre>
 */
public class PwriteSource {
    public static void main(String[] args) throws Exception {
        String mode = args[0];
        int mib = Integer.parseInt(args[1]);
        Path file = Path.of(args.length > 2 ? args[2] : System.getProperty("java.io.tmpdir"), "pwrite-" + mode);
        Files.deleteIfExists(file);
        ByteBuffer[] ring = new ByteBuffer[mode.equals("hot") ? 1 : 12];
        for (int i = 0; i < ring.length; i++) {
            ring[i] = ByteBuffer.allocateDirect(1 << 20);
        }
        byte[] source = new byte[1 << 20];
        new Random(1).nextBytes(source);
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long cpu0 = threads.getCurrentThreadCpuTime();
        long t0 = System.nanoTime();
        long fill = 0;
        try (FileChannel fc = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            for (int i = 0; i < mib; i++) {
                if (mode.equals("heap")) {
                    fc.write(ByteBuffer.wrap(source), (long) i << 20);
                    continue;
                }
                ByteBuffer b = ring[i % ring.length];
                long c = threads.getCurrentThreadCpuTime();
                b.clear().put(source).flip();
                fill += threads.getCurrentThreadCpuTime() - c;
                fc.write(b, (long) i << 20);
            }
        } finally {
            Files.deleteIfExists(file);
        }
        System.out.printf(Locale.ROOT, "%s: %d MiB, thread CPU %.2f s (fill %.2f s), wall %.2f s%n", mode, mib,
                (threads.getCurrentThreadCpuTime() - cpu0) / 1e9, fill / 1e9, (System.nanoTime() - t0) / 1e9);
    }
}
