package org.pohmelfs.node.txn;

import java.util.Collection;
import java.util.concurrent.ConcurrentSkipListMap;
import org.pohmelfs.protocol.ObjectPath;

/**
 * The restart guard of unstable writes (protocol §4.8, design.md §2.1): the export paths that
 * received unstable writes in this node process (incarnation) and were not committed since. It
 * lives in memory only, so a restarted node holds none and answers COMMIT with UNSTABLE_LOST:
 * it cannot tell whether a power loss took the writes.
 *
 * <p>Bounded: a transaction whose paths would take it past {@link #MAX_PATHS} runs as a stable
 * one instead ({@link #admits}). Adds and removals of whole trees come from transactions under
 * the manager's write lock; {@link #committed} also from readers under the read lock, hence the
 * concurrent map. Keys are canonical paths ({@link ObjectPath#toString}); the value says whether
 * the unstable writes changed the file's folder (created the file), so COMMIT forces that too.
 */
final class UnstableWrites {
    static final int MAX_PATHS = 65_536;

    private final ConcurrentSkipListMap<String, Boolean> paths = new ConcurrentSkipListMap<>();
    /** Paths whose file carries the marker of an earlier incarnation: COMMIT is UNSTABLE_LOST. */
    private final java.util.concurrent.ConcurrentSkipListSet<String> lost = new java.util.concurrent.ConcurrentSkipListSet<>();
    private final int max;

    UnstableWrites() {
        this(MAX_PATHS);
    }

    UnstableWrites(int max) {
        this.max = max;
    }

    /** The canonical form of a path, or null when it does not parse (the store refuses it). */
    static String canonical(String path) {
        try {
            return ObjectPath.parse(path).toString();
        } catch (ObjectPath.InvalidPathException e) {
            return null;
        }
    }

    /** Whether adding {@code more} (canonical paths) keeps the set within its bound. */
    boolean admits(Collection<String> more) {
        long fresh = more.stream().distinct().filter(p -> !paths.containsKey(p) && !lost.contains(p)).count();
        return paths.size() + lost.size() + fresh <= max;
    }

    /** {@code path} received unstable writes of a committed transaction. */
    void written(String path, boolean changedFolder) {
        paths.merge(path, changedFolder, Boolean::logicalOr);
    }

    /** {@code path} holds unstable writes of an earlier incarnation: its COMMIT fails until it is deleted or renamed. */
    void lost(String path) {
        paths.remove(path);
        lost.add(path);
    }

    boolean isLost(String path) {
        return lost.contains(path);
    }

    /** Null when {@code path} has no unstable writes; else whether they changed its folder. */
    Boolean pending(String path) {
        return paths.get(path);
    }

    /** A COMMIT of {@code path} succeeded. */
    void committed(String path) {
        paths.remove(path);
    }

    /** {@code path} was deleted or renamed (from or to): forget it and everything below it. */
    void forgetTree(String path) {
        paths.remove(path);
        lost.remove(path);
        String prefix = path.endsWith("/") ? path : path + "/";
        // '0' follows '/' in code-unit order: the sub-map holds exactly the names below the folder.
        String end = prefix.substring(0, prefix.length() - 1) + '0';
        paths.subMap(prefix, true, end, false).clear();
        lost.subSet(prefix, true, end, false).clear();
    }

    int size() {
        return paths.size() + lost.size();
    }
}
