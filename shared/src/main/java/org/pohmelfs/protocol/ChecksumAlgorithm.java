package org.pohmelfs.protocol;

/**
 * Frame checksum algorithms. The wire value sits in the low two bits of a frame's flags; the
 * trailer of that many bytes follows the body.
 */
public enum ChecksumAlgorithm {
    /** No trailer: only allowed when both sides accept it (for example when TLS covers the link). */
    NONE(0, 0),
    /** CRC-32C (Castagnoli), 4 bytes, hardware-accelerated on x86 and ARM. */
    CRC32C(1, 4),
    /** SHA-256, 32 bytes, for links where a strong checksum is wanted without TLS. */
    SHA256(2, 32);

    private final int code;
    private final int trailerLength;

    ChecksumAlgorithm(int code, int trailerLength) {
        this.code = code;
        this.trailerLength = trailerLength;
    }

    public int code() {
        return code;
    }

    public int trailerLength() {
        return trailerLength;
    }

    public static ChecksumAlgorithm of(int code) {
        return switch (code) {
            case 0 -> NONE;
            case 1 -> CRC32C;
            case 2 -> SHA256;
            default -> throw new ProtocolException("unknown checksum algorithm " + code);
        };
    }
}
