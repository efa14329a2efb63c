package org.pohmelfs.node.store;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.pohmelfs.protocol.Attr;
import org.pohmelfs.protocol.FileType;

/**
 * Node metadata kept in the file system's {@code user.*} extended attributes, so a rename moves
 * it with the file: the version in {@code user.pohmelfs.v} (8 bytes, big-endian) and client
 * attribute {@code n} in {@code user.pohmelfs.x.n}. Other user xattrs are neither shown nor
 * touched. Also converts POSIX attributes to {@link Attr}.
 */
final class Meta {
    static final String VERSION = "pohmelfs.v";
    /** The incarnation of the node that wrote a file unstably and has not committed it (design.md §2.1). */
    static final String UNSTABLE = "pohmelfs.u";
    static final String CLIENT_PREFIX = "pohmelfs.x.";
    /** Linux limits xattr names to 255 bytes including "user.". */
    static final int MAX_CLIENT_NAME = 255 - "user.".length() - CLIENT_PREFIX.length();

    private Meta() {
    }

    /** Fails with a clear message when the export's file system has no user xattrs. */
    static void checkSupport(Path dir) throws IOException {
        UserDefinedFileAttributeView v = view(dir);
        if (v == null) {
            throw new IOException("the export's file system has no user extended attributes: " + dir);
        }
        try {
            v.write("pohmelfs.probe", ByteBuffer.wrap(new byte[] {1}));
            v.delete("pohmelfs.probe");
        } catch (IOException e) {
            throw new IOException("the export's file system refuses user extended attributes (mount with user_xattr): "
                    + dir + ": " + e.getMessage(), e);
        }
    }

    static UserDefinedFileAttributeView view(Path p) {
        return Files.getFileAttributeView(p, UserDefinedFileAttributeView.class, ExportPaths.NOFOLLOW);
    }

    /** The value of an internal xattr name, or null when not set. */
    static byte[] get(Path p, String name) throws IOException {
        UserDefinedFileAttributeView v = view(p);
        if (!v.list().contains(name)) {
            return null;
        }
        ByteBuffer b = ByteBuffer.allocate(v.size(name));
        v.read(name, b);
        return b.flip().remaining() == b.capacity() ? b.array() : java.util.Arrays.copyOf(b.array(), b.remaining());
    }

    /** Sets (value non-null) or removes (null) an internal xattr. */
    static void put(Path p, String name, byte[] value) throws IOException {
        UserDefinedFileAttributeView v = view(p);
        if (value != null) {
            v.write(name, ByteBuffer.wrap(value));
        } else if (v.list().contains(name)) {
            v.delete(name);
        }
    }

    static long version(Path p) throws IOException {
        // Fast path: one getxattr into an 8-byte buffer (every stamped object has a version).
        // Anything else (no version yet, a value of another size) takes the general path, which
        // lists the names first; a missing file still fails with NoSuchFileException.
        ByteBuffer b = ByteBuffer.allocate(8);
        try {
            if (view(p).read(VERSION, b) == 8) {
                return b.getLong(0);
            }
        } catch (NoSuchFileException e) {
            throw e;
        } catch (FileSystemException e) {
            // ENODATA or ERANGE: fall through
        }
        byte[] v = get(p, VERSION);
        return v == null || v.length != 8 ? 0 : ByteBuffer.wrap(v).getLong();
    }

    static byte[] versionBytes(long v) {
        return ByteBuffer.allocate(8).putLong(v).array();
    }

    /** Client attribute names (without the internal prefix). */
    static List<String> clientNames(Path p) throws IOException {
        List<String> out = new ArrayList<>();
        for (String n : view(p).list()) {
            if (n.startsWith(CLIENT_PREFIX)) {
                out.add(n.substring(CLIENT_PREFIX.length()));
            }
        }
        out.sort((a, b) -> java.util.Arrays.compareUnsigned(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8)));
        return out;
    }

    static Attr attr(Path p, PosixFileAttributes a) throws IOException {
        FileType type = a.isDirectory() ? FileType.DIRECTORY : FileType.FILE;
        return new Attr(type, a.isDirectory() ? 0 : a.size(), a.lastModifiedTime().to(TimeUnit.NANOSECONDS),
                mode(a.permissions()), version(p));
    }

    static int mode(Set<PosixFilePermission> perms) {
        int m = 0;
        for (PosixFilePermission p : perms) {
            m |= 1 << (8 - p.ordinal());
        }
        return m;
    }

    /** The permission bits of {@code mode} (setuid, setgid and sticky are not supported). */
    static Set<PosixFilePermission> permissions(int mode) {
        Set<PosixFilePermission> s = EnumSet.noneOf(PosixFilePermission.class);
        for (PosixFilePermission p : PosixFilePermission.values()) {
            if ((mode & (1 << (8 - p.ordinal()))) != 0) {
                s.add(p);
            }
        }
        return s;
    }

    static void setMode(Path p, int mode) throws IOException {
        Files.getFileAttributeView(p, PosixFileAttributeView.class, ExportPaths.NOFOLLOW).setPermissions(permissions(mode));
    }

    static void setMtime(Path p, long nanos) throws IOException {
        Files.getFileAttributeView(p, PosixFileAttributeView.class, ExportPaths.NOFOLLOW)
                .setTimes(java.nio.file.attribute.FileTime.from(nanos, TimeUnit.NANOSECONDS), null, null);
    }
}
