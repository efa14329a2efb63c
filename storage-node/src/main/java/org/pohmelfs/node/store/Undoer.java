package org.pohmelfs.node.store;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributes;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies {@link UndoRecord}s newest first. Each step is idempotent and skips what is not there
 * (the change it takes back may never have been made). A step that fails is logged and the rest
 * still run: a partial rollback beats none.
 */
final class Undoer {
    private static final Logger log = LoggerFactory.getLogger(Undoer.class);

    private final ExportPaths paths;

    Undoer(ExportPaths paths) {
        this.paths = paths;
    }

    /** Rolls back {@code records}, given oldest first. Returns how many steps failed. */
    int rollback(List<UndoRecord> records) {
        int failed = 0;
        for (int i = records.size() - 1; i >= 0; i--) {
            UndoRecord r = records.get(i);
            try {
                undo(r);
            } catch (IOException | RuntimeException e) {
                failed++;
                log.error("rollback step failed: {}", r, e);
            }
        }
        return failed;
    }

    private void undo(UndoRecord r) throws IOException {
        switch (r) {
            case UndoRecord.Created c -> Trees.deleteTree(paths.fromRelative(c.path()));
            case UndoRecord.Moved m -> {
                Path from = paths.fromRelative(m.from());
                Path to = paths.fromRelative(m.to());
                if (ExportPaths.attrs(to) != null && ExportPaths.attrs(from) == null) {
                    Files.move(to, from, StandardCopyOption.ATOMIC_MOVE);
                }
            }
            case UndoRecord.Bytes b -> restoreBytes(b);
            case UndoRecord.Xattr x -> {
                Path p = paths.fromRelative(x.path());
                if (ExportPaths.attrs(p) != null) {
                    Meta.put(p, x.name(), x.old());
                }
            }
            case UndoRecord.Meta m -> {
                Path p = paths.fromRelative(m.path());
                if (ExportPaths.attrs(p) != null) {
                    Meta.setMode(p, m.mode());
                    Meta.setMtime(p, m.mtimeNanos());
                }
            }
        }
    }

    private void restoreBytes(UndoRecord.Bytes b) throws IOException {
        Path p = paths.fromRelative(b.path());
        PosixFileAttributes a = ExportPaths.attrs(p);
        if (a == null || !a.isRegularFile()) {
            return;
        }
        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.WRITE, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            if (b.sideFile() != null) {
                try (FileChannel side = FileChannel.open(paths.fromRelative(b.sideFile()), StandardOpenOption.READ)) {
                    long pos = 0;
                    long n = side.size();
                    while (pos < n) {
                        pos += ch.transferFrom(side, b.offset() + pos, n - pos);
                    }
                }
            } else {
                ByteBuffer buf = ByteBuffer.wrap(b.old());
                long pos = b.offset();
                while (buf.hasRemaining()) {
                    pos += ch.write(buf, pos);
                }
            }
            Trees.setSize(ch, b.oldSize());
        }
    }
}
