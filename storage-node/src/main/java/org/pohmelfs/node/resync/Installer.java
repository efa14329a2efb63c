package org.pohmelfs.node.resync;

import java.io.IOException;

/**
 * The changes a resync pass makes to the local replica, each copied from the source and each
 * <b>conditional</b>: done only if the local object's version is still {@code expected} (0 when
 * it was absent), checked atomically with the change, so a copy never overwrites a live write
 * that arrived after the pass looked (design.md §5).
 */
public interface Installer {
    /** Answer of {@link #copyFile} when nothing was installed (the local object changed, or the source's did). */
    long SKIPPED = -1;

    /** Fetches the source's file whole (content, mode, mtime, xattrs, version) and installs it; the bytes copied or {@link #SKIPPED}. */
    long copyFile(String path, long expected) throws IOException;

    /**
     * Makes the local object at {@code path} a directory with the source's mode and xattrs and
     * {@code version}, replacing a file there; false when the local version is not
     * {@code expected} or the source has no directory there.
     */
    boolean makeDirectory(String path, long expected, long version) throws IOException;

    /**
     * Gives the local directory {@code path} the source's mode and xattrs and adds {@code delta}
     * to its version (atomically with live transactions); false when either side has no
     * directory there.
     */
    boolean adjustDirectory(String path, long delta) throws IOException;

    /** Removes the local object (a whole tree for a directory). */
    boolean delete(String path, long expected) throws IOException;

    /**
     * Makes every copy, directory made and delete done so far durable (when the store forces
     * its changes at all); a pass calls it before it corrects any directory's version, so that no
     * directory claims, after a crash, a change that is missing beneath it.
     */
    void sync() throws IOException;
}
