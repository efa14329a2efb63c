package org.pohmelfs.node.store;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Lock;
import org.pohmelfs.protocol.Attr;
import org.pohmelfs.protocol.Command;
import org.pohmelfs.protocol.DirEntry;
import org.pohmelfs.protocol.ObjectPath;
import org.pohmelfs.protocol.Result;
import org.pohmelfs.protocol.Xattr;

/**
 * What a resync (design.md §5) does to the local export: installs objects exactly as an in-sync
 * peer holds them (content, mode, mtime, client xattrs and <em>the peer's version</em>, not a
 * rule-B stamp) and removes what the peer no longer has.
 *
 * <p>Contract: every change is <b>conditional</b>: it happens only if the object's local version
 * is still {@code expected} (0 = absent), checked and done under the transaction manager's write
 * lock, so no live transaction runs in between and a copy never overwrites a live write that
 * came after the copy was planned; {@code false} means "changed meanwhile, plan again".
 * Changes are not journalled: a file is installed by an atomic rename of a prepared temporary
 * file, so a crash leaves the old or the new object; a node that crashes in a resync resyncs
 * again before it serves. Usage figures are recounted by {@link #recount} when a resync ends.
 *
 * <p>Durability (when the store's fsync is on; design.md §5 "Durability of a resync"): a file's
 * temporary copy is forced (content, mode, xattrs, version) before it is renamed into place, so
 * a rename that survives a power loss always shows a whole file with its version; the folders
 * whose entries changed are forced together by {@link #sync}, which a pass calls before it
 * corrects any directory version; and each directory whose version is corrected is forced
 * before the next (deepest first), so no directory's version claims something that a crash
 * could still lose beneath it. No fsync happens under the write lock.
 */
public final class ResyncOps {
    private final ExportPaths paths;
    private final ReadOps reads;
    private final Usage usage;
    private final Lock writeLock;
    private final boolean fsync;
    private final AtomicLong temps = new AtomicLong();
    /** Folders whose entries changed since the last {@link #sync} (only kept with fsync on). */
    private final java.util.Set<Path> touched = java.util.concurrent.ConcurrentHashMap.newKeySet();

    ResyncOps(ExportPaths paths, ReadOps reads, Usage usage, Lock writeLock, boolean fsync) {
        this.paths = paths;
        this.reads = reads;
        this.usage = usage;
        this.writeLock = writeLock;
        this.fsync = fsync;
    }

    /**
     * Forces every folder whose entries this resync changed since the last call (renames,
     * creations, removals), deepest first; nothing when fsync is off. After it returns, every
     * install and delete done before the call survives a power loss.
     */
    public void sync() throws IOException {
        if (!fsync) {
            return;
        }
        List<Path> dirs = new ArrayList<>(touched);
        touched.removeAll(dirs);
        dirs.sort(java.util.Comparator.comparingInt(Path::getNameCount).reversed());
        for (Path d : dirs) {
            if (Files.isDirectory(d, ExportPaths.NOFOLLOW)) {
                Durability.forceDirectory(d);
            }
        }
    }

    private void touch(Path folder) {
        if (fsync) {
            touched.add(folder);
        }
    }

    /** The local attributes of {@code path}, or null when it does not exist. */
    public Attr stat(String path) throws IOException {
        Path f;
        try {
            f = paths.resolve(ExportPaths.parse(path));
        } catch (StoreException e) {
            return null;
        }
        var a = ExportPaths.attrs(f);
        if (a == null || !(a.isRegularFile() || a.isDirectory())) {
            return null;
        }
        try {
            return Meta.attr(f, a);
        } catch (java.nio.file.NoSuchFileException e) {
            return null;
        }
    }

    /** Every entry of the local directory {@code path} in name order; empty when it is not a directory. */
    public List<DirEntry> list(String path) throws IOException {
        List<DirEntry> out = new ArrayList<>();
        String after = "";
        while (true) {
            Result r;
            try {
                r = reads.list(new Command.List(path, after, ReadOps.MAX_PAGE));
            } catch (StoreException e) {
                return out;
            }
            if (!(r instanceof Result.Listing l)) {
                return out;
            }
            out.addAll(l.entries());
            if (!l.more() || l.entries().isEmpty()) {
                return out;
            }
            after = l.entries().getLast().name();
        }
    }

    /**
     * The SHA-256 of the whole local file {@code path} with its attributes (a CHECKSUM, read
     * without the store's lock: a live write meanwhile may make it a mix, which the version the
     * caller checks, or its conditional install, catches); null when no file is there.
     */
    public Result.Checksum checksum(String path) throws IOException {
        try {
            return reads.checksum(new Command.Checksum(path, 0, Command.Checksum.TO_END)) instanceof Result.Checksum c
                    ? c : null;
        } catch (StoreException | java.nio.file.NoSuchFileException e) {
            return null;
        }
    }

    /** The client xattrs of the local object {@code path}; empty when it is gone. */
    public List<org.pohmelfs.protocol.Xattr> xattrs(String path) throws IOException {
        try {
            return reads.xattrList(new Command.XattrList(path)) instanceof Result.Xattrs x ? x.xattrs() : List.of();
        } catch (StoreException | java.nio.file.NoSuchFileException e) {
            return List.of();
        }
    }

    /**
     * Whether a verify pass was asked for: the marker {@link #VERIFY_MARKER} is in the state
     * folder (left by a start that found objects without a version, or by an operator).
     */
    public boolean verifyRequested() {
        return Files.exists(paths.stateDir().resolve(VERIFY_MARKER), ExportPaths.NOFOLLOW);
    }

    /** A verify pass has run to its end: removes the marker. */
    public void verifyDone() throws IOException {
        Files.deleteIfExists(paths.stateDir().resolve(VERIFY_MARKER));
    }

    /** The state folder's marker that asks the next resync for a verify pass (design.md §5). */
    public static final String VERIFY_MARKER = "verify-on-resync";

    /** A fresh temporary file in the state folder, for content being fetched. */
    public Path newTemp() throws IOException {
        Path dir = Files.createDirectories(paths.stateDir().resolve("resync"));
        return Files.createFile(dir.resolve("copy-" + ProcessHandle.current().pid() + "-" + temps.incrementAndGet()));
    }

    /** Removes leftover temporary files (a resync that was interrupted). */
    public void clearTemps() throws IOException {
        Trees.deleteTree(paths.stateDir().resolve("resync"));
    }

    /**
     * Installs the prepared file {@code temp} (its content only) at {@code path} with the peer's
     * attributes and xattrs, replacing whatever is there, if the local version is still
     * {@code expected}. The parent must exist. {@code temp} is gone afterwards either way.
     */
    public boolean installFile(String path, long expected, Path temp, Attr attr, List<Xattr> xattrs) throws IOException {
        try {
            Meta.setMode(temp, attr.mode());
            for (Xattr x : xattrs) {
                Meta.put(temp, Meta.CLIENT_PREFIX + x.name(), bytes(x));
            }
            Meta.put(temp, Meta.VERSION, Meta.versionBytes(attr.version()));
            Meta.setMtime(temp, attr.mtimeNanos());
            if (fsync) {
                Durability.force(temp, false); // content and metadata before the rename can be seen
            }
            writeLock.lock();
            try {
                Path f = target(path);
                if (f == null || localVersion(f) != expected) {
                    return false;
                }
                if (Files.isDirectory(f, ExportPaths.NOFOLLOW)) {
                    Trees.deleteTree(f);
                }
                Files.move(temp, f, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                touch(f.getParent());
                return true;
            } finally {
                writeLock.unlock();
            }
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    /**
     * Makes {@code path} the directory the peer has (mode, client xattrs), replacing a file there,
     * or sets an existing directory's mode and xattrs to the peer's, and gives it {@code version};
     * only if the local version is still {@code expected}. Its entries are not touched.
     */
    public boolean putDirectory(String path, long expected, Attr attr, long version, List<Xattr> xattrs) throws IOException {
        writeLock.lock();
        try {
            Path f = target(path);
            if (f == null || localVersion(f) != expected) {
                return false;
            }
            if (Files.exists(f, ExportPaths.NOFOLLOW) && !Files.isDirectory(f, ExportPaths.NOFOLLOW)) {
                Files.delete(f);
            }
            if (!Files.isDirectory(f, ExportPaths.NOFOLLOW)) {
                Files.createDirectory(f);
            }
            setMeta(f, attr, xattrs);
            Meta.put(f, Meta.VERSION, Meta.versionBytes(version));
            touch(f.getParent());
            touch(f);
            return true;
        } finally {
            writeLock.unlock();
        }
    }

    /**
     * Sets an existing directory's mode and client xattrs to the peer's and adds {@code delta} to
     * its version, under the write lock (so live transactions' rule-B additions are kept);
     * false when {@code path} is not a directory.
     */
    public boolean adjustDirectory(String path, long delta, Attr attr, List<Xattr> xattrs) throws IOException {
        Path f;
        writeLock.lock();
        try {
            f = target(path);
            if (f == null || !Files.isDirectory(f, ExportPaths.NOFOLLOW)) {
                return false;
            }
            setMeta(f, attr, xattrs);
            Meta.put(f, Meta.VERSION, Meta.versionBytes(Meta.version(f) + delta));
        } finally {
            writeLock.unlock();
        }
        if (fsync) {
            // Durable before the pass corrects its parent (deepest first): a parent's version never
            // survives a crash that loses the child's.
            Durability.forceDirectory(f);
        }
        return true;
    }

    private static void setMeta(Path f, Attr attr, List<Xattr> xattrs) throws IOException {
        Meta.setMode(f, attr.mode());
        for (String n : Meta.clientNames(f)) {
            if (xattrs.stream().noneMatch(x -> x.name().equals(n))) {
                Meta.put(f, Meta.CLIENT_PREFIX + n, null);
            }
        }
        for (Xattr x : xattrs) {
            Meta.put(f, Meta.CLIENT_PREFIX + x.name(), bytes(x));
        }
    }

    /** Removes {@code path} (a whole tree for a directory) if its local version is still {@code expected}. */
    public boolean delete(String path, long expected) throws IOException {
        writeLock.lock();
        try {
            Path f = target(path);
            if (f == null || localVersion(f) != expected || expected == 0) {
                return false;
            }
            Trees.deleteTree(f);
            touch(f.getParent());
            return true;
        } finally {
            writeLock.unlock();
        }
    }

    /** Counts the export's usage afresh (after a resync changed it behind the transactions' backs). */
    public void recount() throws IOException {
        writeLock.lock();
        try {
            usage.scan(paths.root(), paths.stateDir(), p -> { });
        } finally {
            writeLock.unlock();
        }
    }

    /** The file for {@code path} if its parent is a directory; null otherwise (the root is never a target). */
    private Path target(String path) throws IOException {
        ObjectPath p = ExportPaths.parse(path);
        if (p.isRoot()) {
            return paths.root();
        }
        Path f;
        try {
            f = paths.resolve(p);
        } catch (StoreException e) {
            return null;
        }
        return Files.isDirectory(f.getParent(), ExportPaths.NOFOLLOW) ? f : null;
    }

    private static long localVersion(Path f) throws IOException {
        if (!Files.exists(f, ExportPaths.NOFOLLOW)) {
            return 0;
        }
        try {
            return Meta.version(f);
        } catch (java.nio.file.NoSuchFileException e) {
            return 0;
        }
    }

    private static byte[] bytes(Xattr x) {
        var b = x.value().duplicate();
        byte[] out = new byte[b.remaining()];
        b.get(out);
        return out;
    }
}
