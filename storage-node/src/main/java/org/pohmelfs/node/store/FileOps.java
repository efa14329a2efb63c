package org.pohmelfs.node.store;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributes;
import java.util.ArrayList;
import java.util.List;
import org.pohmelfs.protocol.Command;
import org.pohmelfs.protocol.ErrorCode;
import org.pohmelfs.protocol.ObjectPath;
import org.pohmelfs.protocol.Result;

/**
 * Write, Create and Truncate. Before changing a file's bytes the range about to be overwritten
 * or cut is saved in an undo record (inline up to {@value #INLINE_LIMIT} bytes, otherwise in a
 * forced side file in the state folder).
 */
final class FileOps {
    static final int INLINE_LIMIT = 1 << 20;

    private final Changes ch;

    FileOps(Changes changes) {
        this.ch = changes;
    }

    Result write(Command.Write c, TxScope tx) throws IOException {
        ObjectPath p = ExportPaths.parse(c.path());
        if (c.offset() < 0) {
            throw new StoreException(ErrorCode.INVALID_ARGUMENT, "negative offset");
        }
        ByteBuffer data = c.data().duplicate();
        long end = c.offset() + data.remaining();
        Path f = ch.paths.resolve(p);
        PosixFileAttributes a = ExportPaths.attrs(f);
        List<UndoRecord> undo = new ArrayList<>();
        if (a == null) {
            if (!c.create()) {
                throw new StoreException(ErrorCode.NOT_FOUND, "no such file: " + p);
            }
            ch.ensureParent(p, false, tx);
            ch.checkSpace(end, tx);
            undo.add(ch.meta(f.getParent()));
            undo.add(new UndoRecord.Created(ch.paths.relative(f)));
            undo.addAll(ch.stampUndo(p.parent()));
            tx.before(undo);
            try (FileChannel fc = FileChannel.open(f, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS)) {
                Meta.setMode(f, Changes.DEFAULT_FILE_MODE);
                writeFully(fc, data, c.offset());
            }
            tx.account(end, 1);
            tx.touchedDirs.add(f.getParent());
        } else {
            requireFile(a, p);
            long oldSize = a.size();
            ch.checkSpace(Math.max(0, end - oldSize), tx);
            undo.add(ch.meta(f, a));
            undo.add(saveRange(f, c.offset(), Math.min(end, oldSize), oldSize, tx));
            undo.addAll(ch.stampUndo(p));
            tx.before(undo);
            try (FileChannel fc = FileChannel.open(f, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS)) {
                writeFully(fc, data, c.offset());
            }
            tx.account(Math.max(0, end - oldSize), 0);
        }
        tx.touchedFiles.add(f);
        ch.stamp(p, tx);
        return new Result.Attrs(ReadOps.attrOf(ch.paths, p));
    }

    Result create(Command.Create c, TxScope tx) throws IOException {
        ObjectPath p = ExportPaths.parse(c.path());
        if (p.isRoot()) {
            throw new StoreException(ErrorCode.IS_DIRECTORY, "the root is a directory");
        }
        Path f = ch.paths.resolve(p);
        PosixFileAttributes a = ExportPaths.attrs(f);
        if (a != null) {
            if (c.exclusive()) {
                throw new StoreException(ErrorCode.EXISTS, "exists: " + p);
            }
            requireFile(a, p);
            List<UndoRecord> undo = new ArrayList<>();
            undo.add(ch.meta(f, a));
            undo.add(saveRange(f, 0, a.size(), a.size(), tx));
            undo.addAll(ch.stampUndo(p));
            tx.before(undo);
            try (FileChannel fc = FileChannel.open(f, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS)) {
                fc.truncate(0);
            }
            tx.account(-a.size(), 0);
        } else {
            ch.ensureParent(p, c.parents(), tx);
            List<UndoRecord> undo = new ArrayList<>();
            undo.add(ch.meta(f.getParent()));
            undo.add(new UndoRecord.Created(ch.paths.relative(f)));
            undo.addAll(ch.stampUndo(p.parent()));
            tx.before(undo);
            try (FileChannel fc = FileChannel.open(f, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS)) {
                Meta.setMode(f, Changes.modeOrDefault(c.mode(), Changes.DEFAULT_FILE_MODE) | 0600);
            }
            tx.account(0, 1);
            tx.touchedDirs.add(f.getParent());
        }
        tx.touchedFiles.add(f);
        ch.stamp(p, tx);
        return new Result.Attrs(ReadOps.attrOf(ch.paths, p));
    }

    Result truncate(Command.Truncate c, TxScope tx) throws IOException {
        ObjectPath p = ExportPaths.parse(c.path());
        if (c.size() < 0) {
            throw new StoreException(ErrorCode.INVALID_ARGUMENT, "negative size");
        }
        Path f = ch.paths.resolve(p);
        PosixFileAttributes a = ExportPaths.existing(f, p);
        requireFile(a, p);
        long oldSize = a.size();
        ch.checkSpace(c.size() - oldSize, tx);
        List<UndoRecord> undo = new ArrayList<>();
        undo.add(ch.meta(f, a));
        undo.add(saveRange(f, Math.min(c.size(), oldSize), oldSize, oldSize, tx));
        undo.addAll(ch.stampUndo(p));
        tx.before(undo);
        try (FileChannel fc = FileChannel.open(f, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS)) {
            Trees.setSize(fc, c.size());
        }
        tx.account(c.size() - oldSize, 0);
        tx.touchedFiles.add(f);
        ch.stamp(p, tx);
        return new Result.Attrs(ReadOps.attrOf(ch.paths, p));
    }

    private static void requireFile(PosixFileAttributes a, ObjectPath p) {
        if (a.isDirectory()) {
            throw new StoreException(ErrorCode.IS_DIRECTORY, "is a directory: " + p);
        }
        if (!a.isRegularFile()) {
            throw new StoreException(ErrorCode.ACCESS_DENIED, "not a regular file: " + p);
        }
    }

    /** The undo record restoring bytes [from, to) and size {@code oldSize}. */
    private UndoRecord saveRange(Path f, long from, long to, long oldSize, TxScope tx) throws IOException {
        String rel = ch.paths.relative(f);
        long n = Math.max(0, to - from);
        if (n == 0) {
            // Nothing overwritten (an append, such as every chunk of a streaming write): the undo
            // is "restore the old size", and the file need not be opened to read nothing.
            return new UndoRecord.Bytes(rel, from, new byte[0], null, oldSize);
        }
        try (FileChannel fc = FileChannel.open(f, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
            if (n <= INLINE_LIMIT) {
                ByteBuffer b = ByteBuffer.allocate((int) n);
                int got = 0;
                while (b.hasRemaining() && got >= 0) {
                    got = fc.read(b, from + b.position());
                }
                return new UndoRecord.Bytes(rel, from, b.array(), null, oldSize);
            }
            Path side = ch.trash.newSideFile(tx.stamp);
            try (FileChannel out = FileChannel.open(side, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                long done = 0;
                while (done < n) {
                    done += fc.transferTo(from + done, n - done, out);
                }
                if (ch.settings.fsync()) {
                    out.force(true);
                }
            }
            if (ch.settings.fsync()) {
                // The side file's entry in undo/ must be durable before the change it protects:
                // after a power loss recovery reads it to restore the overwritten range.
                Durability.forceDirectory(side.getParent());
            }
            tx.sideFiles.add(side);
            return new UndoRecord.Bytes(rel, from, new byte[0], ch.paths.relative(side), oldSize);
        }
    }

    private static void writeFully(FileChannel fc, ByteBuffer data, long offset) throws IOException {
        long pos = offset;
        while (data.hasRemaining()) {
            pos += fc.write(data, pos);
        }
    }
}
