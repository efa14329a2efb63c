package org.pohmelfs.node.store;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.util.ArrayList;
import java.util.List;
import org.pohmelfs.protocol.Command;
import org.pohmelfs.protocol.ErrorCode;
import org.pohmelfs.protocol.ObjectPath;
import org.pohmelfs.protocol.Result;

/**
 * SetAttr, XattrSet and XattrRemove. Each gives the object a new version. SetAttr keeps the
 * owner's read and write bits (and search bit on folders) so the node can still serve the object.
 */
final class AttrOps {
    private final Changes ch;

    AttrOps(Changes changes) {
        this.ch = changes;
    }

    Result setAttr(Command.SetAttr c, TxScope tx) throws IOException {
        ObjectPath p = ExportPaths.parse(c.path());
        Path f = ch.paths.resolve(p);
        PosixFileAttributes a = ExportPaths.existing(f, p);
        if (c.mode() < -1) {
            throw new StoreException(ErrorCode.INVALID_ARGUMENT, "invalid mode " + c.mode());
        }
        List<UndoRecord> undo = new ArrayList<>();
        undo.add(ch.meta(f, a));
        undo.addAll(ch.stampUndo(p));
        tx.before(undo);
        if (c.mode() != -1) {
            Meta.setMode(f, (c.mode() & 0777) | (a.isDirectory() ? 0700 : 0600));
        }
        if (c.mtimeNanos() != Command.SetAttr.UNCHANGED && c.mtimeNanos() != -1) {
            Meta.setMtime(f, c.mtimeNanos());
        }
        touch(tx, f, a);
        ch.stamp(p, tx);
        return new Result.Attrs(ReadOps.attrOf(ch.paths, p));
    }

    Result xattrSet(Command.XattrSet c, TxScope tx) throws IOException {
        String name = Meta.CLIENT_PREFIX + XattrNames.check(c.name());
        ObjectPath p = ExportPaths.parse(c.path());
        Path f = ch.paths.resolve(p);
        PosixFileAttributes a = ExportPaths.existing(f, p);
        ByteBuffer value = c.value().duplicate();
        byte[] bytes = new byte[value.remaining()];
        value.get(bytes);
        change(p, f, a, name, bytes, tx);
        return new Result.Ok();
    }

    Result xattrRemove(Command.XattrRemove c, TxScope tx) throws IOException {
        String name = Meta.CLIENT_PREFIX + XattrNames.check(c.name());
        ObjectPath p = ExportPaths.parse(c.path());
        Path f = ch.paths.resolve(p);
        PosixFileAttributes a = ExportPaths.existing(f, p);
        if (Meta.get(f, name) == null) {
            throw new StoreException(ErrorCode.NO_ATTRIBUTE, "no attribute " + c.name() + " on " + p);
        }
        change(p, f, a, name, null, tx);
        return new Result.Ok();
    }

    private void change(ObjectPath p, Path f, PosixFileAttributes a, String name, byte[] value, TxScope tx) throws IOException {
        List<UndoRecord> undo = new ArrayList<>();
        undo.add(new UndoRecord.Xattr(ch.paths.relative(f), name, Meta.get(f, name)));
        undo.addAll(ch.stampUndo(p));
        tx.before(undo);
        Meta.put(f, name, value);
        touch(tx, f, a);
        ch.stamp(p, tx);
    }

    private static void touch(TxScope tx, Path f, PosixFileAttributes a) {
        if (a.isDirectory()) {
            tx.touchedDirs.add(f);
        } else {
            tx.touchedFiles.add(f);
        }
    }
}
