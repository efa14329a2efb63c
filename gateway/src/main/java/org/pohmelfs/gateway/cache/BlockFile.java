package org.pohmelfs.gateway.cache;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;
import java.util.zip.CRC32C;

/**
 * The format of one block of the disk tier (design.md §3.5): pure, no I/O. A file holds a header
 * naming the block's key, then the block's bytes:
 *
 * <pre>
 * offset  size  field
 *  0       4    magic "PFSB"
 *  4       4    format (1)
 *  8       8    version of the file the block belongs to
 * 16       8    block index
 * 24       4    path length P (bytes of UTF-8)
 * 28       4    data length D
 * 32       4    CRC32C of bytes 0..31 (this field as zero), the path and the data
 * 36       P    path, UTF-8
 * 36+P     D    data
 * </pre>
 *
 * A file is accepted only if it is exactly {@code 36 + P + D} bytes long, names the key it was
 * looked up under, and its checksum matches: a torn, truncated, swapped or bit-flipped file is
 * refused, never served.
 */
public final class BlockFile {
    static final int MAGIC = 0x50465342; // "PFSB"
    static final int FORMAT = 1;
    static final int FIXED = 36;
    private static final int CRC_AT = 32;
    /** Sub-folders the files are spread over, named by the first hex digit of the name. */
    static final int FOLDERS = 16;
    static final String SUFFIX = ".blk";

    private BlockFile() {
    }

    /**
     * The file name of a key: 32 hex digits of the SHA-256 of (path, version, index), plus
     * {@link #SUFFIX}. The key itself is in the header, so a collision is found, not served.
     */
    static String name(ContentCache.BlockKey key) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(key.path().getBytes(StandardCharsets.UTF_8));
            sha.update((byte) 0);
            sha.update(ByteBuffer.allocate(16).putLong(key.version()).putLong(key.index()).flip());
            return HexFormat.of().formatHex(sha.digest(), 0, 16) + SUFFIX;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is always present", e);
        }
    }

    /** The sub-folder of a name (its first hex digit). */
    static String folder(String name) {
        return name.substring(0, 1);
    }

    /** Header and data of a block as one buffer (position 0), ready to be written whole. */
    static ByteBuffer encode(ContentCache.BlockKey key, ByteBuffer data) {
        byte[] path = key.path().getBytes(StandardCharsets.UTF_8);
        int n = data.remaining();
        ByteBuffer out = ByteBuffer.allocate(FIXED + path.length + n);
        out.putInt(MAGIC).putInt(FORMAT).putLong(key.version()).putLong(key.index())
                .putInt(path.length).putInt(n).putInt(0).put(path).put(data.duplicate());
        out.flip();
        out.putInt(CRC_AT, crc(out));
        return out;
    }

    /**
     * The data of {@code file} (a whole file's bytes, position 0) if it is a sound block of
     * {@code key}; empty if it is damaged or belongs to another key. The data is a view of
     * {@code file}'s bytes (writable if {@code file} is: a heap buffer that Netty can send from its
     * array without a second copy).
     */
    static Optional<ByteBuffer> decode(ContentCache.BlockKey key, ByteBuffer file) {
        ByteBuffer f = file.duplicate();
        if (f.remaining() < FIXED || f.getInt(0) != MAGIC || f.getInt(4) != FORMAT) {
            return Optional.empty();
        }
        int pathLength = f.getInt(24);
        int n = f.getInt(28);
        if (pathLength < 0 || n < 0 || (long) FIXED + pathLength + n != f.remaining()) {
            return Optional.empty();
        }
        if (crc(f) != f.getInt(CRC_AT)) {
            return Optional.empty();
        }
        byte[] path = new byte[pathLength];
        f.get(FIXED, path);
        if (f.getLong(8) != key.version() || f.getLong(16) != key.index()
                || !new String(path, StandardCharsets.UTF_8).equals(key.path())) {
            return Optional.empty();
        }
        return Optional.of(f.slice(FIXED + pathLength, n));
    }

    /** Bytes a file of a block of {@code key} with {@code dataLength} bytes takes. */
    static long fileSize(ContentCache.BlockKey key, int dataLength) {
        return FIXED + (long) key.path().getBytes(StandardCharsets.UTF_8).length + dataLength;
    }

    /** The CRC32C of a whole file (position 0) with its checksum field taken as zero. */
    private static int crc(ByteBuffer whole) {
        CRC32C c = new CRC32C();
        c.update(whole.slice(0, CRC_AT));
        c.update(new byte[4]);
        c.update(whole.slice(FIXED, whole.limit() - FIXED));
        return (int) c.getValue();
    }
}
