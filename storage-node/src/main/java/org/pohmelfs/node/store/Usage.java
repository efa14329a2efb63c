package org.pohmelfs.node.store;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Bytes held by the export's regular files and the count of its files and folders (the root and
 * the state folder excluded). Scanned at start-up, then kept up to date by committed
 * transactions and by the trash purger.
 */
final class Usage {
    private final AtomicLong bytes = new AtomicLong();
    private final AtomicLong objects = new AtomicLong();

    long bytes() {
        return bytes.get();
    }

    long objects() {
        return objects.get();
    }

    void add(long deltaBytes, long deltaObjects) {
        bytes.addAndGet(deltaBytes);
        objects.addAndGet(deltaObjects);
    }

    /**
     * Counts the export from scratch, without following links; calls {@code visitor} for every
     * regular file and folder counted (start-up uses it to find the highest version).
     */
    void scan(Path root, Path skip, PathVisitor visitor) throws IOException {
        long[] sum = new long[2];
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes a) throws IOException {
                if (dir.equals(skip)) {
                    return FileVisitResult.SKIP_SUBTREE;
                }
                if (!dir.equals(root)) {
                    sum[1]++;
                }
                visitor.visit(dir);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes a) throws IOException {
                if (a.isRegularFile()) {
                    sum[0] += a.size();
                    sum[1]++;
                    visitor.visit(file);
                }
                return FileVisitResult.CONTINUE;
            }
        });
        bytes.set(sum[0]);
        objects.set(sum[1]);
    }

    @FunctionalInterface
    interface PathVisitor {
        void visit(Path p) throws IOException;
    }
}
