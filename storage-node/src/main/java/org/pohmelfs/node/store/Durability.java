package org.pohmelfs.node.store;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** Forcing files and folders to stable storage. */
public final class Durability {
    private Durability() {
    }

    /** Forces a folder's entries (creations, renames, removals in it). */
    public static void forceDirectory(Path dir) throws IOException {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        }
    }

    /** Forces a regular file's data and metadata, or a folder's entries. */
    static void force(Path p, boolean directory) throws IOException {
        if (directory) {
            forceDirectory(p);
            return;
        }
        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.READ, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            ch.force(true);
        }
    }
}
