package org.pohmelfs.node.store;

import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.pohmelfs.protocol.Command;
import org.pohmelfs.protocol.ErrorCode;
import org.pohmelfs.protocol.NodeInfo;
import org.pohmelfs.protocol.Result;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Executes {@link Command}s against plain files under the export directory.
 *
 * <p>Contract: {@link #execute} never throws; a failure is a {@link Result.Error}. A mutating
 * command needs a {@link TxScope}: before each change it hands the undo records to the scope, so
 * a failed or interrupted transaction can be rolled back exactly with {@link #rollback}. The
 * caller serialises transactions (this class does no locking of its own) and calls
 * {@link #commit} or {@link #rollback} once per scope, then {@link #finish} after the decision
 * is durable.
 *
 * <p>Life cycle: {@link #open} prepares the state folder; the caller rolls back any interrupted
 * transaction, then calls {@link #start} (purges leftovers, counts usage).
 */
public final class LocalStore implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(LocalStore.class);
    private static final java.security.SecureRandom RANDOM = new java.security.SecureRandom();

    private final StoreSettings settings;
    private final ExportPaths paths;
    private final Usage usage = new Usage();
    private final Trash trash;
    private final ReadOps reads;
    private final FileOps files;
    private final TreeOps trees;
    private final CopyOp copies;
    private final AttrOps attrs;
    private final Undoer undoer;

    private LocalStore(StoreSettings settings, ExportPaths paths) throws IOException {
        this.settings = settings;
        this.paths = paths;
        Path state = Files.createDirectories(paths.stateDir());
        Meta.checkSupport(state);
        this.trash = new Trash(state, usage);
        Changes changes = new Changes(paths, usage, trash, settings);
        this.reads = new ReadOps(paths);
        this.files = new FileOps(changes);
        this.trees = new TreeOps(changes);
        this.copies = new CopyOp(changes, trees);
        this.attrs = new AttrOps(changes);
        this.undoer = new Undoer(paths);
    }

    /** Opens the export (it must be an existing directory on a file system with user xattrs). */
    public static LocalStore open(StoreSettings settings) throws IOException {
        Path export = settings.export();
        if (!Files.isDirectory(export)) {
            throw new IOException("the export is not a directory: " + export);
        }
        return new LocalStore(settings, new ExportPaths(export.toRealPath()));
    }

    /** The node's state folder (journal, trash), inside the export. */
    public Path stateDir() {
        return paths.stateDir();
    }

    /** After recovery: removes leftover trash and undo files, counts usage, versions what has none. */
    public void start() throws IOException {
        trash.purgeAllUncounted();
        List<Path> unversioned = new ArrayList<>();
        usage.scan(paths.root(), paths.stateDir(), p -> {
            long v = Meta.version(p);
            if (v == 0) {
                unversioned.add(p);
            }
        });
        stamp(unversioned);
        if (unversioned.stream().anyMatch(p -> !p.equals(paths.root()))) {
            // Objects appeared outside the node (a new export's bare root aside): whatever put them
            // there may have changed other files too, under versions that still match a peer's.
            java.nio.file.Files.writeString(paths.stateDir().resolve(ResyncOps.VERIFY_MARKER),
                    "objects without a version found at start; the next resync verifies every file\n");
            log.info("export {}: objects without a version: the next resync runs a verify pass", paths.root());
        }
        log.info("export {}: {} bytes in {} objects", paths.root(), usage.bytes(), usage.objects());
    }

    /**
     * Gives every object that has no version yet (put into the export by hand while the node was
     * stopped, or a new export's root) a fresh one, and its ancestors too, as a change would:
     * otherwise they would all share the ETag of version 0, and their folders would not show that
     * something appeared below them. Nothing is served yet, so no transaction is needed; a crash
     * half-way leaves objects without a version, which the next start stamps.
     *
     * <p>Each gets a random non-zero version (not a transaction stamp: no transaction names it),
     * so an ETag from an earlier life of a wiped export does not come back. Replicas seeded by
     * hand therefore disagree on these versions until resync (design §4.5).
     */
    private void stamp(List<Path> unversioned) throws IOException {
        if (unversioned.isEmpty()) {
            return;
        }
        Set<Path> todo = new LinkedHashSet<>();
        for (Path p : unversioned) {
            for (Path q = p; q != null && q.startsWith(paths.root()); q = q.getParent()) {
                todo.add(q);
            }
        }
        for (Path p : todo) {
            Meta.put(p, Meta.VERSION, Meta.versionBytes(randomVersion()));
        }
        log.info("export {}: gave {} unversioned objects a version ({} with their folders)", paths.root(),
                unversioned.size(), todo.size());
    }

    private static long randomVersion() {
        long v;
        do {
            v = RANDOM.nextLong();
        } while (v == 0);
        return v;
    }

    /** The resync's conditional installs and deletes, done under {@code writeLock} (design.md §5). */
    public ResyncOps resyncOps(java.util.concurrent.locks.Lock writeLock) {
        return new ResyncOps(paths, reads, usage, writeLock, settings.fsync());
    }

    /** A scope for the transaction whose version stamp is {@code stamp} ({@link TxStamp}, never 0). */
    public TxScope newScope(TxScope.UndoSink sink, long stamp) {
        if (stamp == 0) {
            throw new IllegalArgumentException("a transaction stamp is never 0");
        }
        return new TxScope(sink, stamp);
    }

    /** Runs one command; mutating ones need {@code tx} (null only for read-only requests). */
    private static Result unsupported(Command c) {
        return new Result.Error(ErrorCode.UNSUPPORTED, c.getClass().getSimpleName() + " is not a store command");
    }

    /** Lease commands are served by the node's lock driver (node.coherence), never by the store. */
    private static Result leaseCommand() {
        return new Result.Error(ErrorCode.UNSUPPORTED, "lease commands need the locks feature and travel alone");
    }

    public Result execute(Command c, TxScope tx) {
        try {
            if (c.mutates()) {
                if (settings.readOnly()) {
                    return new Result.Error(ErrorCode.READ_ONLY, "the node is read-only");
                }
                if (tx == null) {
                    throw new IllegalStateException("a mutation needs a transaction scope");
                }
            }
            return switch (c) {
                case Command.Ping p -> new Result.Pong(p.value());
                case Command.Statfs s -> new Result.Statfs(info());
                case Command.Sync s -> reads.sync(s);
                // The transaction manager checks its set of unstable writes, then calls forceFile.
                case Command.Commit k -> unsupported(c);
                case Command.Stat s -> reads.stat(s);
                case Command.List l -> reads.list(l);
                case Command.Read r -> reads.read(r);
                case Command.Checksum cs -> reads.checksum(cs);
                case Command.XattrGet x -> reads.xattrGet(x);
                case Command.XattrList x -> reads.xattrList(x);
                case Command.Write w -> files.write(w, tx);
                case Command.Create cr -> files.create(cr, tx);
                case Command.Truncate t -> files.truncate(t, tx);
                case Command.Mkdir m -> trees.mkdir(m, tx);
                case Command.Delete d -> trees.delete(d, tx);
                case Command.Rename r -> trees.rename(r, tx);
                case Command.Copy cp -> copies.copy(cp, tx);
                case Command.SetAttr s -> attrs.setAttr(s, tx);
                case Command.XattrSet x -> attrs.xattrSet(x, tx);
                case Command.XattrRemove x -> attrs.xattrRemove(x, tx);
                // WebDAV locks live in the transaction manager's lock table, not in the files.
                case Command.Lock l -> unsupported(c);
                case Command.LockRefresh l -> unsupported(c);
                case Command.Unlock u -> unsupported(c);
                case Command.Locks l -> unsupported(c);
                case Command.Tokens t -> unsupported(c);
                case Command.Acquire a -> leaseCommand();
                case Command.Release r -> leaseCommand();
                case Command.Renew r -> leaseCommand();
                case Command.Downgrade d -> leaseCommand();
                // The session serves HOLD and UNHOLD (design.md §4.7); they never reach the store.
                case Command.Hold h -> unsupported(c);
                case Command.Unhold u -> unsupported(c);
            };
        } catch (StoreException e) {
            return e.toResult();
        } catch (IOException e) {
            log.debug("command {} failed", c.getClass().getSimpleName(), e);
            return Errors.of(e);
        } catch (RuntimeException e) {
            log.error("command {} failed unexpectedly", c.getClass().getSimpleName(), e);
            return new Result.Error(ErrorCode.INTERNAL, "internal error; see the node's log");
        }
    }

    /**
     * Makes a successful scope's changes durable (when fsync is on) and counts them in the usage.
     * Call before journalling the commit.
     */
    public void commit(TxScope tx) throws IOException {
        commit(tx, true);
    }

    /**
     * As {@link #commit(TxScope)}; without {@code force} nothing is forced (an unstable
     * transaction: a COMMIT of its paths forces them later).
     */
    public void commit(TxScope tx, boolean force) throws IOException {
        if (settings.fsync() && force) {
            for (Path f : tx.touchedFiles) {
                if (Files.isRegularFile(f, ExportPaths.NOFOLLOW)) {
                    Durability.force(f, false);
                }
            }
            for (Path d : tx.touchedDirs) {
                if (Files.isDirectory(d, ExportPaths.NOFOLLOW)) {
                    Durability.force(d, true);
                }
            }
            if (!tx.trashed.isEmpty()) {
                // Entries moved into the trash: their new names must be durable with the commit.
                Durability.force(paths.stateDir().resolve("trash"), true);
            }
        }
        usage.add(tx.bytesDelta, tx.objectsDelta);
    }

    /**
     * As {@link #commit(TxScope, boolean)}, but instead of forcing, opens what must be forced and
     * returns it (group commit, design.md §2.2): the caller forces it before the transaction's
     * decision becomes durable. Empty without fsync or {@code force}. Opening happens now, so a
     * later rename or delete of the paths by another transaction does not matter.
     */
    public List<PendingForce> commitDeferred(TxScope tx, boolean force) throws IOException {
        List<PendingForce> out = new ArrayList<>();
        try {
            if (settings.fsync() && force) {
                for (Path f : tx.touchedFiles) {
                    if (Files.isRegularFile(f, ExportPaths.NOFOLLOW)) {
                        out.add(open(f));
                    }
                }
                for (Path d : tx.touchedDirs) {
                    if (Files.isDirectory(d, ExportPaths.NOFOLLOW)) {
                        out.add(open(d));
                    }
                }
                if (!tx.trashed.isEmpty()) {
                    out.add(open(paths.stateDir().resolve("trash")));
                }
            }
        } catch (IOException | RuntimeException e) {
            for (PendingForce p : out) {
                p.discard();
            }
            throw e;
        }
        usage.add(tx.bytesDelta, tx.objectsDelta);
        return out;
    }

    private static PendingForce open(Path p) throws IOException {
        return new PendingForce(java.nio.channels.FileChannel.open(p, java.nio.file.StandardOpenOption.READ,
                java.nio.file.LinkOption.NOFOLLOW_LINKS), p.toString());
    }

    /**
     * Forces a file's data and size (COMMIT), and with {@code folderToo} its folder's entries
     * (when unstable writes created it): OK, or the error (NOT_FOUND, ...). Forces nothing
     * without fsync. Never throws.
     */
    public Result forceFile(String path, boolean folderToo) {
        try {
            org.pohmelfs.protocol.ObjectPath p = ExportPaths.parse(path);
            Path f = paths.resolve(p);
            java.nio.file.attribute.PosixFileAttributes a = ExportPaths.existing(f, p);
            if (settings.fsync()) {
                Durability.force(f, a.isDirectory());
                if (folderToo && !p.isRoot()) {
                    Durability.forceDirectory(f.getParent());
                }
            }
            return new Result.Ok();
        } catch (StoreException e) {
            return e.toResult();
        } catch (IOException e) {
            log.debug("forcing {} failed", path, e);
            return Errors.of(e);
        }
    }

    /**
     * The unstable-write marker of a file (design.md §2.1): the incarnation of the node process
     * that wrote it unstably and did not commit it, or 0 when there is none (or no such file).
     */
    public long unstableMarker(String path) throws IOException {
        try {
            org.pohmelfs.protocol.ObjectPath p = ExportPaths.parse(path);
            Path f = paths.resolve(p);
            if (ExportPaths.attrs(f) == null) {
                return 0;
            }
            byte[] v = Meta.get(f, Meta.UNSTABLE);
            return v == null || v.length != 8 ? 0 : java.nio.ByteBuffer.wrap(v).getLong();
        } catch (StoreException | org.pohmelfs.protocol.ObjectPath.InvalidPathException e) {
            return 0;
        }
    }

    /**
     * Sets ({@code incarnation} non-zero) or removes (0) a file's unstable-write marker. Not
     * forced here: a stable commit forces the file with it.
     */
    public void setUnstableMarker(String path, long incarnation) throws IOException {
        Path f = paths.resolve(ExportPaths.parse(path));
        Meta.put(f, Meta.UNSTABLE, incarnation == 0 ? null : Meta.versionBytes(incarnation));
    }

    /** Takes back a failed scope's changes; returns how many undo steps failed (logged). */
    public int rollback(TxScope tx) {
        tx.trashed.clear();
        return rollback(tx.records());
    }

    /** Takes back changes recorded oldest first (journal recovery). */
    public int rollback(List<UndoRecord> records) {
        return undoer.rollback(records);
    }

    /** Once the outcome is durable: purges the scope's trash and undo side files in the background. */
    public void finish(TxScope tx) {
        trash.purge(tx.trashed, true);
        trash.purge(tx.sideFiles, false);
    }

    /** Waits until background purges submitted so far are done. */
    public void awaitPurges() {
        trash.awaitIdle();
    }

    public NodeInfo info() {
        long limit = settings.sizeLimitBytes();
        long total;
        long free;
        try {
            FileStore fs = Files.getFileStore(paths.root());
            total = fs.getTotalSpace();
            free = fs.getUsableSpace();
        } catch (IOException e) {
            log.warn("cannot read the export's file system size", e);
            total = 0;
            free = 0;
        }
        long used = usage.bytes();
        long capacity = limit > 0 ? Math.min(limit, total) : total;
        long available = limit > 0 ? Math.max(0, Math.min(free, limit - used)) : free;
        return new NodeInfo(capacity, used, available, usage.objects(), limit, settings.readOnly());
    }

    @Override
    public void close() {
        trash.close();
    }
}
