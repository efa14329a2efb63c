package org.pohmelfs.node.store;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFileAttributes;
import java.util.ArrayList;
import java.util.List;
import org.pohmelfs.protocol.Command;
import org.pohmelfs.protocol.ErrorCode;
import org.pohmelfs.protocol.ObjectPath;
import org.pohmelfs.protocol.Result;

/**
 * Server-side Copy of a file or a whole tree. Copies bytes, permission bits and client xattrs;
 * every copied object gets the transaction's stamp as its version (a copy is a new object). A symbolic link
 * inside the source tree refuses the copy (ACCESS_DENIED), like every other symlink.
 * Undo is one record: the target tree is removed.
 */
final class CopyOp {
    private final Changes ch;
    private final TreeOps tree;

    CopyOp(Changes changes, TreeOps tree) {
        this.ch = changes;
        this.tree = tree;
    }

    Result copy(Command.Copy c, TxScope tx) throws IOException {
        ObjectPath from = ExportPaths.parse(c.from());
        ObjectPath to = ExportPaths.parse(c.to());
        if (to.isRoot()) {
            throw new StoreException(ErrorCode.INVALID_ARGUMENT, "the export root cannot be replaced");
        }
        Path src = ch.paths.resolve(from);
        PosixFileAttributes sa = ExportPaths.existing(src, from);
        if (to.startsWith(from)) {
            throw new StoreException(ErrorCode.INVALID_ARGUMENT, "cannot copy " + from + " onto or into itself");
        }
        Path dst = ch.paths.resolve(to);
        ch.ensureParent(to, false, tx);
        PosixFileAttributes da = ExportPaths.attrs(dst);
        if (da != null) {
            if (c.noReplace()) {
                throw new StoreException(ErrorCode.EXISTS, "exists: " + to);
            }
            TreeOps.checkReplaceable(sa, da, dst, to);
        }
        Trees.Size size = sa.isDirectory() ? Trees.measure(src) : new Trees.Size(sa.size(), 1);
        ch.checkSpace(size.bytes(), tx);
        if (da != null) {
            tree.moveToTrash(dst, tx, List.of());
        }
        List<UndoRecord> undo = new ArrayList<>();
        undo.add(ch.meta(dst.getParent()));
        undo.add(new UndoRecord.Created(ch.paths.relative(dst)));
        undo.addAll(ch.stampUndo(to.parent()));
        tx.before(undo);
        copyTree(src, dst, tx);
        tx.account(size.bytes(), size.objects());
        tx.touchedDirs.add(dst.getParent());
        tx.touchedDirs.add(dst);
        ch.stamp(to.parent(), tx);
        return new Result.Attrs(ReadOps.attrOf(ch.paths, to));
    }

    private void copyTree(Path src, Path dst, TxScope tx) throws IOException {
        byte[] version = Meta.versionBytes(tx.stamp);
        Files.walkFileTree(src, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes a) throws IOException {
                Path target = dst.resolve(src.relativize(dir).toString());
                Files.createDirectory(target);
                copyMeta(dir, target, version);
                tx.versioned.add(target);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes a) throws IOException {
                if (!a.isRegularFile()) {
                    throw new StoreException(ErrorCode.ACCESS_DENIED, "the tree holds a symbolic link or special file");
                }
                Path target = dst.resolve(src.relativize(file).toString());
                Files.copy(file, target, LinkOption.NOFOLLOW_LINKS);
                copyMeta(file, target, version);
                return FileVisitResult.CONTINUE;
            }
        });
    }

    private static void copyMeta(Path from, Path to, byte[] version) throws IOException {
        PosixFileAttributes a = ExportPaths.attrs(from);
        Meta.setMode(to, Meta.mode(a.permissions()));
        for (String n : Meta.clientNames(from)) {
            Meta.put(to, Meta.CLIENT_PREFIX + n, Meta.get(from, Meta.CLIENT_PREFIX + n));
        }
        Meta.put(to, Meta.VERSION, version);
    }
}
