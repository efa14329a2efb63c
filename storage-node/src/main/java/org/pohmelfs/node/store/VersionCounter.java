package org.pohmelfs.node.store;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * The node-wide version counter. Contract: {@link #next()} never returns the same number twice,
 * across restarts and crashes included.
 *
 * <p>How: a high-water mark is persisted (written to a temporary file, forced, atomically renamed
 * and the folder forced) before any number up to it is handed out; numbers are reserved in blocks
 * of {@value #BLOCK}, and a restart continues after the stored mark, skipping the unused rest.
 *
 * <p>A new export starts at a random point in [2^40, 2^62), not at 1: versions are ETags, and a
 * browser or a gateway that still holds an ETag from an earlier life of the export (wiped and
 * set up again under the same URL) must not find it naming different content now.
 */
final class VersionCounter {
    static final long BLOCK = 1 << 16;

    private final Path file;
    private long next;
    private long reserved;

    private VersionCounter(Path file, long mark) {
        this.file = file;
        this.next = mark + 1;
        this.reserved = mark;
    }

    static VersionCounter open(Path stateDir) throws IOException {
        Path f = stateDir.resolve("version-mark");
        long mark = randomStart();
        if (Files.exists(f)) {
            byte[] b = Files.readAllBytes(f);
            if (b.length != 8) {
                throw new IOException("corrupt version mark " + f + " (" + b.length + " bytes)");
            }
            mark = ByteBuffer.wrap(b).getLong();
        }
        return new VersionCounter(f, mark);
    }

    static long randomStart() {
        return (1L << 40) + (new java.security.SecureRandom().nextLong() >>> 2) % ((1L << 62) - (1L << 40));
    }

    synchronized long next() throws IOException {
        if (next > reserved) {
            persist(next + BLOCK - 1);
            reserved = next + BLOCK - 1;
        }
        return next++;
    }

    /** Makes sure later numbers exceed {@code seen} (a version found in the export). */
    synchronized void atLeast(long seen) {
        if (seen >= next) {
            next = seen + 1;
        }
    }

    private void persist(long mark) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ch.write(ByteBuffer.allocate(8).putLong(0, mark));
            ch.force(true);
        }
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        Durability.forceDirectory(file.getParent());
    }
}
