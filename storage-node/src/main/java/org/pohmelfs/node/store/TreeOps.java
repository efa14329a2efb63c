package org.pohmelfs.node.store;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.pohmelfs.protocol.Command;
import org.pohmelfs.protocol.ErrorCode;
import org.pohmelfs.protocol.ObjectPath;
import org.pohmelfs.protocol.Result;

/**
 * Mkdir, Delete and Rename. A deletion, and a target replaced by a rename, is one atomic rename
 * into the trash: visible at once whatever the tree's size, undone by renaming it back.
 */
final class TreeOps {
    private final Changes ch;

    TreeOps(Changes changes) {
        this.ch = changes;
    }

    Result mkdir(Command.Mkdir c, TxScope tx) throws IOException {
        ObjectPath p = ExportPaths.parse(c.path());
        Path f = ch.paths.resolve(p);
        PosixFileAttributes a = ExportPaths.attrs(f);
        if (a != null) {
            if (a.isDirectory() && c.parents()) {
                return new Result.Attrs(Meta.attr(f, a));
            }
            throw new StoreException(ErrorCode.EXISTS, "exists: " + p);
        }
        ch.ensureParent(p, c.parents(), tx);
        tx.before(ch.stampUndo(p.parent()));
        ch.createDirectory(p, f, Changes.modeOrDefault(c.mode(), Changes.DEFAULT_DIR_MODE), tx);
        ch.stamp(p, tx);
        return new Result.Attrs(ReadOps.attrOf(ch.paths, p));
    }

    Result delete(Command.Delete c, TxScope tx) throws IOException {
        ObjectPath p = ExportPaths.parse(c.path());
        if (p.isRoot()) {
            throw new StoreException(ErrorCode.NOT_PERMITTED, "the export root cannot be deleted");
        }
        Path f = ch.paths.resolve(p);
        PosixFileAttributes a = ExportPaths.existing(f, p);
        if (a.isDirectory() && !c.recursive() && !isEmpty(f)) {
            throw new StoreException(ErrorCode.NOT_EMPTY, "directory not empty: " + p);
        }
        moveToTrash(f, tx, List.of());
        tx.before(ch.stampUndo(p.parent()));
        ch.stamp(p.parent(), tx);
        return new Result.Ok();
    }

    Result rename(Command.Rename c, TxScope tx) throws IOException {
        ObjectPath from = ExportPaths.parse(c.from());
        ObjectPath to = ExportPaths.parse(c.to());
        if (from.isRoot() || to.isRoot()) {
            throw new StoreException(ErrorCode.INVALID_ARGUMENT, "the export root cannot be renamed or replaced");
        }
        Path src = ch.paths.resolve(from);
        PosixFileAttributes sa = ExportPaths.existing(src, from);
        if (to.startsWith(from) && !to.equals(from)) {
            throw new StoreException(ErrorCode.INVALID_ARGUMENT, "cannot move " + from + " into itself");
        }
        Path dst = ch.paths.resolve(to);
        ch.ensureParent(to, false, tx);
        PosixFileAttributes da = ExportPaths.attrs(dst);
        if (da != null) {
            if (c.noReplace()) {
                throw new StoreException(ErrorCode.EXISTS, "exists: " + to);
            }
            if (to.equals(from)) {
                return new Result.Attrs(Meta.attr(src, sa));
            }
            checkReplaceable(sa, da, dst, to);
        }
        List<UndoRecord> undo = new ArrayList<>();
        undo.add(ch.meta(dst.getParent()));
        if (da != null) {
            moveToTrash(dst, tx, undo);
            undo = new ArrayList<>();
        }
        undo.add(ch.meta(src.getParent()));
        undo.add(new UndoRecord.Moved(ch.paths.relative(src), ch.paths.relative(dst)));
        undo.add(new UndoRecord.Xattr(ch.paths.relative(dst), Meta.VERSION, Meta.get(src, Meta.VERSION)));
        undo.addAll(ch.stampUndo(from.parent()));
        undo.addAll(ch.stampUndo(to.parent()));
        tx.before(undo);
        Files.move(src, dst, StandardCopyOption.ATOMIC_MOVE);
        tx.touchedDirs.add(src.getParent());
        tx.touchedDirs.add(dst.getParent());
        ch.stamp(from.parent(), tx);
        ch.stamp(to, tx);
        return new Result.Attrs(ReadOps.attrOf(ch.paths, to));
    }

    /** EXISTS-like refusals when {@code src} would replace the existing {@code dst}. */
    static void checkReplaceable(PosixFileAttributes sa, PosixFileAttributes da, Path dst, ObjectPath to) throws IOException {
        if (!da.isDirectory() && !da.isRegularFile()) {
            throw new StoreException(ErrorCode.ACCESS_DENIED, "target is not a regular file or directory: " + to);
        }
        if (sa.isDirectory() && !da.isDirectory()) {
            throw new StoreException(ErrorCode.NOT_DIRECTORY, "cannot replace a file with a directory: " + to);
        }
        if (!sa.isDirectory() && da.isDirectory()) {
            throw new StoreException(ErrorCode.IS_DIRECTORY, "cannot replace a directory with a file: " + to);
        }
        if (da.isDirectory() && !isEmpty(dst)) {
            throw new StoreException(ErrorCode.NOT_EMPTY, "target directory not empty: " + to);
        }
    }

    /** Journals {@code prefix} plus the move, then renames {@code f} into the trash. */
    void moveToTrash(Path f, TxScope tx, List<UndoRecord> prefix) throws IOException {
        Path t = ch.trash.newEntry(tx.stamp);
        List<UndoRecord> undo = new ArrayList<>(prefix);
        undo.add(ch.meta(f.getParent()));
        undo.add(new UndoRecord.Moved(ch.paths.relative(f), ch.paths.relative(t)));
        tx.before(undo);
        Files.move(f, t, StandardCopyOption.ATOMIC_MOVE);
        tx.trashed.add(t);
        tx.touchedDirs.add(f.getParent());
    }

    static boolean isEmpty(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.findAny().isEmpty();
        }
    }
}
