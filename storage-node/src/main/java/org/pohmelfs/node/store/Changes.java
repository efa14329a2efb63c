package org.pohmelfs.node.store;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.pohmelfs.protocol.ErrorCode;
import org.pohmelfs.protocol.ObjectPath;

/**
 * Building blocks shared by the mutating operations: undo records for metadata, versions of an
 * object and its ancestors (rule B), creating missing parents, and the size-limit check.
 *
 * <p>Every helper that changes the export first hands its undo records to the {@link TxScope}.
 */
final class Changes {
    static final int DEFAULT_FILE_MODE = 0644;
    static final int DEFAULT_DIR_MODE = 0755;

    final ExportPaths paths;
    final Usage usage;
    final Trash trash;
    final StoreSettings settings;

    Changes(ExportPaths paths, Usage usage, Trash trash, StoreSettings settings) {
        this.paths = paths;
        this.usage = usage;
        this.trash = trash;
        this.settings = settings;
    }

    /** The undo record restoring mtime and mode of an existing object. */
    UndoRecord meta(Path p, PosixFileAttributes a) {
        return new UndoRecord.Meta(paths.relative(p), a.lastModifiedTime().to(TimeUnit.NANOSECONDS), Meta.mode(a.permissions()));
    }

    UndoRecord meta(Path p) throws IOException {
        return meta(p, ExportPaths.attrs(p));
    }

    /** Undo records for the versions of {@code p} (if it exists) and of every ancestor. */
    List<UndoRecord> stampUndo(ObjectPath p) throws IOException {
        List<UndoRecord> out = new ArrayList<>();
        for (ObjectPath q = p; ; q = q.parent()) {
            Path f = paths.resolve(q);
            if (ExportPaths.attrs(f) != null) {
                out.add(new UndoRecord.Xattr(paths.relative(f), Meta.VERSION, Meta.get(f, Meta.VERSION)));
            }
            if (q.isRoot()) {
                return out;
            }
        }
    }

    /**
     * Versions after a change to {@code p} (rule B, design §4.5): a file gets the transaction's
     * stamp; a directory, and every ancestor up to the root, get {@code version + stamp}
     * (mod 2^64), once per transaction. Addition commutes, so the versions after a set of
     * transactions do not depend on the order they ran in. Missing objects are skipped.
     */
    void stamp(ObjectPath p, TxScope tx) throws IOException {
        for (ObjectPath q = p; ; q = q.parent()) {
            Path f = paths.resolve(q);
            PosixFileAttributes a = ExportPaths.attrs(f);
            if (a != null && !a.isDirectory()) {
                Meta.put(f, Meta.VERSION, Meta.versionBytes(tx.stamp));
            } else if (a != null && tx.versioned.add(f)) {
                Meta.put(f, Meta.VERSION, Meta.versionBytes(Meta.version(f) + tx.stamp));
            }
            if (q.isRoot()) {
                return;
            }
        }
    }

    /** A directory this transaction created: its version is the stamp, not advanced again. */
    void created(Path dir, TxScope tx) throws IOException {
        Meta.put(dir, Meta.VERSION, Meta.versionBytes(tx.stamp));
        tx.versioned.add(dir);
    }

    /**
     * Makes sure the parent of {@code p} is a directory: NOT_FOUND when missing (unless
     * {@code parents}, which creates every missing one), NOT_DIRECTORY when a file is in the way.
     */
    void ensureParent(ObjectPath p, boolean parents, TxScope tx) throws IOException {
        List<ObjectPath> chain = new ArrayList<>();
        for (ObjectPath q = p.parent(); !q.isRoot(); q = q.parent()) {
            chain.addFirst(q);
        }
        for (ObjectPath q : chain) {
            Path f = paths.resolve(q);
            PosixFileAttributes a = ExportPaths.attrs(f);
            if (a == null) {
                if (!parents) {
                    throw new StoreException(ErrorCode.NOT_FOUND, "no such directory: " + q);
                }
                createDirectory(q, f, DEFAULT_DIR_MODE, tx);
            } else if (!a.isDirectory()) {
                throw new StoreException(ErrorCode.NOT_DIRECTORY, "not a directory: " + q);
            }
        }
    }

    /** Creates one directory whose parent exists. */
    void createDirectory(ObjectPath q, Path f, int mode, TxScope tx) throws IOException {
        Path parent = f.getParent();
        tx.before(meta(parent), new UndoRecord.Created(paths.relative(f)));
        Files.createDirectory(f);
        Meta.setMode(f, mode | 0700);
        created(f, tx);
        tx.account(0, 1);
        tx.touchedDirs.add(parent);
        tx.touchedDirs.add(f);
    }

    /** NO_SPACE unless the export can grow by {@code moreBytes} within its limit. */
    void checkSpace(long moreBytes, TxScope tx) {
        long limit = settings.sizeLimitBytes();
        if (limit > 0 && moreBytes > 0 && usage.bytes() + tx.bytesDelta + moreBytes > limit) {
            throw new StoreException(ErrorCode.NO_SPACE, "the export would exceed its size limit of " + limit + " bytes");
        }
    }

    /** The mode to give a new object: {@code mode}'s permission bits, or the default when 0. */
    static int modeOrDefault(int mode, int dflt) {
        return (mode & 0777) == 0 ? dflt : mode & 0777;
    }
}
