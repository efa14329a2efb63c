package org.pohmelfs.node.store;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributes;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import org.pohmelfs.protocol.Attr;
import org.pohmelfs.protocol.Command;
import org.pohmelfs.protocol.DirEntry;
import org.pohmelfs.protocol.ErrorCode;
import org.pohmelfs.protocol.ObjectPath;
import org.pohmelfs.protocol.Result;
import org.pohmelfs.protocol.Xattr;

/**
 * The commands that only look: Stat, List, Read, Checksum, XattrGet, XattrList, Sync.
 *
 * <p>Listings show regular files and folders only: symbolic links, devices, pipes and names
 * that are not valid NFC object names (an operator may have created them) are left out, and the
 * state folder is never shown.
 */
final class ReadOps {
    /** Largest page a listing returns; a larger limit is cut to this (with {@code more} set). */
    static final int MAX_PAGE = 10_000;
    /** Largest read; asking for more is TOO_LARGE (a read is short only at end of file). */
    static final int MAX_READ = 64 << 20;

    private static final Comparator<String> UTF8_ORDER =
            (a, b) -> Arrays.compareUnsigned(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));

    private final ExportPaths paths;

    ReadOps(ExportPaths paths) {
        this.paths = paths;
    }

    Result stat(Command.Stat c) throws IOException {
        ObjectPath p = ExportPaths.parse(c.path());
        ExportPaths.Found found = paths.lookup(p);
        return new Result.Attrs(Meta.attr(found.file(), ExportPaths.existing(found.attrs(), p)));
    }

    Result list(Command.List c) throws IOException {
        ObjectPath p = ExportPaths.parse(c.path());
        if (c.limit() <= 0) {
            throw new StoreException(ErrorCode.INVALID_ARGUMENT, "limit must be positive: " + c.limit());
        }
        Path dir = paths.resolve(p);
        PosixFileAttributes da = ExportPaths.existing(dir, p);
        if (!da.isDirectory()) {
            throw new StoreException(ErrorCode.NOT_DIRECTORY, "not a directory: " + p);
        }
        String after = c.startAfter() == null ? "" : c.startAfter();
        List<String> names = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            for (Path e : ds) {
                String n = e.getFileName().toString();
                if (listable(p, n) && (after.isEmpty() || UTF8_ORDER.compare(n, after) > 0)) {
                    names.add(n);
                }
            }
        }
        names.sort(UTF8_ORDER);
        int limit = Math.min(c.limit(), MAX_PAGE);
        List<DirEntry> entries = new ArrayList<>();
        int i = 0;
        for (; i < names.size() && entries.size() < limit; i++) {
            Path f = dir.resolve(names.get(i));
            PosixFileAttributes a = ExportPaths.attrs(f);
            if (a != null && (a.isRegularFile() || a.isDirectory())) {
                entries.add(new DirEntry(names.get(i), Meta.attr(f, a)));
            }
        }
        return new Result.Listing(Meta.attr(dir, da), entries, i < names.size());
    }

    private static boolean listable(ObjectPath dir, String name) {
        if (dir.isRoot() && name.equals(ExportPaths.RESERVED)) {
            return false;
        }
        try {
            return ObjectPath.checkName(name).equals(name);
        } catch (ObjectPath.InvalidPathException e) {
            return false;
        }
    }

    Result read(Command.Read c) throws IOException {
        ObjectPath p = ExportPaths.parse(c.path());
        if (c.offset() < 0 || c.length() < 0) {
            throw new StoreException(ErrorCode.INVALID_ARGUMENT, "negative offset or length");
        }
        if (c.length() > MAX_READ) {
            throw new StoreException(ErrorCode.TOO_LARGE, "read longer than " + MAX_READ + " bytes");
        }
        ExportPaths.Found found = paths.lookup(p);
        Path f = found.file();
        PosixFileAttributes a = ExportPaths.existing(found.attrs(), p);
        if (a.isDirectory()) {
            throw new StoreException(ErrorCode.IS_DIRECTORY, "is a directory: " + p);
        }
        try (FileChannel ch = FileChannel.open(f, StandardOpenOption.READ, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            // The size from the lookup's lstat: readers hold the store's read lock, so no
            // transaction changes the file meanwhile (a short read still stops at end of file).
            long size = a.size();
            int n = (int) Math.max(0, Math.min(c.length(), size - c.offset()));
            ByteBuffer buf = ByteBuffer.allocate(n);
            while (buf.hasRemaining()) {
                if (ch.read(buf, c.offset() + buf.position()) < 0) {
                    break;
                }
            }
            return new Result.Data(Meta.attr(f, a), buf.flip());
        }
    }

    /** Bytes a CHECKSUM reads at once: the only buffer it holds, whatever the file's size. */
    static final int CHECKSUM_BUFFER = 256 << 10;

    /**
     * The SHA-256 of a byte range, read {@link #CHECKSUM_BUFFER} at a time (never the whole file in
     * memory). The caller holds the store's read lock, so no transaction changes the file meanwhile
     * and the version in the answer names exactly the bytes summed.
     */
    Result checksum(Command.Checksum c) throws IOException {
        ObjectPath p = ExportPaths.parse(c.path());
        if (c.offset() < 0 || c.length() < Command.Checksum.TO_END) {
            throw new StoreException(ErrorCode.INVALID_ARGUMENT, "negative offset, or a length below -1");
        }
        ExportPaths.Found found = paths.lookup(p);
        Path f = found.file();
        PosixFileAttributes a = ExportPaths.existing(found.attrs(), p);
        if (a.isDirectory()) {
            throw new StoreException(ErrorCode.IS_DIRECTORY, "is a directory: " + p);
        }
        java.security.MessageDigest sha;
        try {
            sha = java.security.MessageDigest.getInstance("SHA-256");
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java has SHA-256", e);
        }
        long end = c.length() == Command.Checksum.TO_END ? a.size() : Math.min(a.size(), c.offset() + c.length());
        if (c.length() != Command.Checksum.TO_END && c.offset() + c.length() < 0) {
            end = a.size(); // offset + length overflowed: the range reaches past any end
        }
        try (FileChannel ch = FileChannel.open(f, StandardOpenOption.READ, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            ByteBuffer buf = ByteBuffer.allocate((int) Math.min(CHECKSUM_BUFFER, Math.max(0, end - c.offset())));
            long pos = c.offset();
            while (pos < end) {
                buf.clear().limit((int) Math.min(buf.capacity(), end - pos));
                int n = ch.read(buf, pos);
                if (n < 0) {
                    break; // shorter than its lstat said (changed outside the node): sum what is there
                }
                pos += n;
                sha.update(buf.flip());
            }
        }
        return new Result.Checksum(Meta.attr(f, a), ByteBuffer.wrap(sha.digest()));
    }

    Result xattrGet(Command.XattrGet c) throws IOException {
        ObjectPath p = ExportPaths.parse(c.path());
        Path f = paths.resolve(p);
        ExportPaths.existing(f, p);
        byte[] v = Meta.get(f, Meta.CLIENT_PREFIX + XattrNames.check(c.name()));
        if (v == null) {
            throw new StoreException(ErrorCode.NO_ATTRIBUTE, "no attribute " + c.name() + " on " + p);
        }
        return new Result.XattrValue(ByteBuffer.wrap(v));
    }

    Result xattrList(Command.XattrList c) throws IOException {
        ObjectPath p = ExportPaths.parse(c.path());
        Path f = paths.resolve(p);
        ExportPaths.existing(f, p);
        List<Xattr> out = new ArrayList<>();
        for (String n : Meta.clientNames(f)) {
            byte[] v = Meta.get(f, Meta.CLIENT_PREFIX + n);
            if (v != null) {
                out.add(new Xattr(n, ByteBuffer.wrap(v)));
            }
        }
        return new Result.Xattrs(out);
    }

    /** Forces one file or folder; "/" forces the export root folder. */
    Result sync(Command.Sync c) throws IOException {
        ObjectPath p = ExportPaths.parse(c.path());
        Path f = paths.resolve(p);
        PosixFileAttributes a = ExportPaths.existing(f, p);
        Durability.force(f, a.isDirectory());
        return new Result.Ok();
    }

    static Attr attrOf(ExportPaths paths, ObjectPath p) throws IOException {
        ExportPaths.Found found = paths.lookup(p);
        return Meta.attr(found.file(), ExportPaths.existing(found.attrs(), p));
    }
}
