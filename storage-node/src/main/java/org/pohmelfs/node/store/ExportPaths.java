package org.pohmelfs.node.store;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import org.pohmelfs.protocol.ErrorCode;
import org.pohmelfs.protocol.ObjectPath;

/**
 * Confines client paths to the export.
 *
 * <p>Contract: {@link #parse} accepts only what {@link ObjectPath#parse} accepts and never a path
 * whose first component is the reserved state folder {@value #RESERVED}. {@link #resolve} returns a
 * file beneath the export root and refuses (ACCESS_DENIED) any path that would pass through or end
 * on a symbolic link, whatever it points at: the node never follows, reads or changes a symlink.
 * Files are opened with {@link LinkOption#NOFOLLOW_LINKS} as a second guard.
 *
 * <p>The node assumes it is the only writer of the export; an operator swapping a directory for a
 * symlink between the check and the use is not defended against.
 */
public final class ExportPaths {
    /** The node's own state folder at the export root; clients can never name it. */
    public static final String RESERVED = ".pohmelfs";
    static final LinkOption[] NOFOLLOW = {LinkOption.NOFOLLOW_LINKS};

    private final Path root;

    ExportPaths(Path realRoot) {
        this.root = realRoot;
    }

    Path root() {
        return root;
    }

    Path stateDir() {
        return root.resolve(RESERVED);
    }

    /** Parses a client path; INVALID_PATH or NAME_TOO_LONG when malformed or reserved. */
    static ObjectPath parse(String path) {
        ObjectPath p;
        try {
            p = ObjectPath.parse(path);
        } catch (ObjectPath.InvalidPathException e) {
            throw new StoreException(e.code(), e.getMessage());
        }
        if (!p.isRoot() && p.names().getFirst().equals(RESERVED)) {
            throw new StoreException(ErrorCode.INVALID_PATH, "the name " + RESERVED + " is reserved at the export root");
        }
        return p;
    }

    /**
     * The file for {@code p}. Every existing component is checked without following links:
     * a symlink anywhere is ACCESS_DENIED, an existing non-directory in the middle NOT_DIRECTORY.
     * The returned file may not exist.
     */
    Path resolve(ObjectPath p) throws IOException {
        return lookup(p).file();
    }

    /** A resolved path and the attributes of what is there (null when nothing is). */
    record Found(Path file, PosixFileAttributes attrs) {
    }

    /**
     * As {@link #resolve}, also returning the attributes read on the way (they come from the
     * same {@code lstat} that checked the last component, so callers need not stat it again).
     */
    Found lookup(ObjectPath p) throws IOException {
        Path cur = root;
        int n = p.names().size();
        if (n == 0) {
            return new Found(root, attrs(root));
        }
        PosixFileAttributes a = null;
        for (int i = 0; i < n; i++) {
            cur = cur.resolve(p.names().get(i));
            a = attrs(cur);
            if (a == null) {
                return new Found(root.resolve(String.join("/", p.names())), null);
            }
            if (a.isSymbolicLink()) {
                throw new StoreException(ErrorCode.ACCESS_DENIED, "symbolic links are not served: " + p);
            }
            if (i < n - 1 && !a.isDirectory()) {
                throw new StoreException(ErrorCode.NOT_DIRECTORY, "not a directory on the way to " + p);
            }
        }
        return new Found(cur, a);
    }

    /** Attributes without following links, or null when nothing is there. */
    static PosixFileAttributes attrs(Path file) throws IOException {
        try {
            return Files.readAttributes(file, PosixFileAttributes.class, NOFOLLOW);
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    /** Attributes of an existing regular file or directory: NOT_FOUND, or ACCESS_DENIED for other kinds. */
    static PosixFileAttributes existing(Path file, ObjectPath p) throws IOException {
        return existing(attrs(file), p);
    }

    /** As {@link #existing(Path, ObjectPath)} for attributes already read ({@link #lookup}). */
    static PosixFileAttributes existing(PosixFileAttributes a, ObjectPath p) {
        if (a == null) {
            throw new StoreException(ErrorCode.NOT_FOUND, "no such file or directory: " + p);
        }
        if (!a.isRegularFile() && !a.isDirectory()) {
            throw new StoreException(ErrorCode.ACCESS_DENIED, "not a regular file or directory: " + p);
        }
        return a;
    }

    /** The path of {@code file} relative to the export root, as journal records name it. */
    String relative(Path file) {
        return root.relativize(file).toString();
    }

    /**
     * The file a journal record names. Refuses anything that is not a plain relative path
     * beneath the root (a corrupt journal must not reach outside the export either).
     */
    Path fromRelative(String rel) {
        Path p = root.resolve(rel).normalize();
        if (rel.isEmpty()) {
            return root;
        }
        if (!p.startsWith(root) || p.equals(root) || rel.startsWith("/") || rel.contains("\0")) {
            throw new IllegalArgumentException("journal path outside the export: " + rel);
        }
        return p;
    }
}
