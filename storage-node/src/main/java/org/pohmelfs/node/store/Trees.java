package org.pohmelfs.node.store;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;

/** File-tree helpers that never follow symbolic links. */
final class Trees {
    private Trees() {
    }

    /** Sum of regular file sizes and count of files and folders in a tree, links skipped. */
    record Size(long bytes, long objects) {
    }

    /** Removes {@code top} and everything below it; nothing there is fine. Returns what was removed. */
    static Size deleteTree(Path top) throws IOException {
        if (ExportPaths.attrs(top) == null) {
            return new Size(0, 0);
        }
        long[] sum = new long[2];
        Files.walkFileTree(top, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes a) throws IOException {
                if (a.isRegularFile()) {
                    sum[0] += a.size();
                    sum[1]++;
                }
                Files.deleteIfExists(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
                if (e instanceof NoSuchFileException) {
                    return FileVisitResult.CONTINUE;
                }
                throw e;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
                if (e != null) {
                    throw e;
                }
                Files.deleteIfExists(dir);
                sum[1]++;
                return FileVisitResult.CONTINUE;
            }
        });
        return new Size(sum[0], sum[1]);
    }

    static Size measure(Path top) throws IOException {
        long[] sum = new long[2];
        Files.walkFileTree(top, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes a) {
                sum[1]++;
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes a) {
                if (a.isRegularFile()) {
                    sum[0] += a.size();
                }
                sum[1]++;
                return FileVisitResult.CONTINUE;
            }
        });
        return new Size(sum[0], sum[1]);
    }

    /** Cuts or zero-extends an open file to {@code size}. */
    static void setSize(FileChannel ch, long size) throws IOException {
        long cur = ch.size();
        if (size < cur) {
            ch.truncate(size);
        } else if (size > cur) {
            ch.write(ByteBuffer.allocate(1), size - 1);
        }
    }
}
