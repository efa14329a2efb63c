package org.pohmelfs.protocol.codec;

import io.netty.buffer.ByteBuf;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.zip.CRC32C;
import org.pohmelfs.protocol.ChecksumAlgorithm;

/** Computes frame checksum trailers. */
final class Checksums {
    private Checksums() {
    }

    /** Writes the trailer of {@code algorithm} over {@code length} bytes of {@code buf} from {@code from}. */
    static void writeTrailer(ChecksumAlgorithm algorithm, ByteBuf buf, int from, int length) {
        switch (algorithm) {
            case NONE -> { }
            case CRC32C -> buf.writeInt(crc32c(buf, from, length));
            case SHA256 -> buf.writeBytes(sha256(buf, from, length));
        }
    }

    /** Whether the trailer at {@code trailerIndex} matches the bytes before it. */
    static boolean verify(ChecksumAlgorithm algorithm, ByteBuf buf, int from, int length, int trailerIndex) {
        return switch (algorithm) {
            case NONE -> true;
            case CRC32C -> buf.getInt(trailerIndex) == crc32c(buf, from, length);
            case SHA256 -> {
                byte[] expected = sha256(buf, from, length);
                byte[] actual = new byte[expected.length];
                buf.getBytes(trailerIndex, actual);
                yield MessageDigest.isEqual(expected, actual);
            }
        };
    }

    private static int crc32c(ByteBuf buf, int from, int length) {
        CRC32C crc = new CRC32C();
        for (ByteBuffer b : buf.nioBuffers(from, length)) {
            crc.update(b);
        }
        return (int) crc.getValue();
    }

    private static byte[] sha256(ByteBuf buf, int from, int length) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            for (ByteBuffer b : buf.nioBuffers(from, length)) {
                md.update(b);
            }
            return md.digest();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
