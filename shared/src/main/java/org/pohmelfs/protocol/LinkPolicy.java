package org.pohmelfs.protocol;

import java.util.List;

/**
 * What one side of a connection accepts, as configured.
 *
 * @param checksums  acceptable frame checksum algorithms, most preferred first. An algorithm
 *                   left out is refused: a list of just SHA256 requires SHA256, and a peer
 *                   that lacks it is refused with a message naming it.
 * @param requireTls whether a connection without TLS is refused
 * @param maxFrame   the largest frame this side accepts
 */
public record LinkPolicy(List<ChecksumAlgorithm> checksums, boolean requireTls, int maxFrame) {
    /** The smallest frame limit a peer may ask for: enough for any metadata reply. */
    public static final int MIN_FRAME = 64 * 1024;
    /** The default frame limit: 4 MiB, so a 1 MiB data chunk and its header always fit. */
    public static final int DEFAULT_MAX_FRAME = 4 * 1024 * 1024;

    public LinkPolicy {
        checksums = List.copyOf(checksums);
        if (checksums.isEmpty()) {
            throw new IllegalArgumentException("at least one checksum algorithm must be accepted");
        }
        if (maxFrame < MIN_FRAME) {
            throw new IllegalArgumentException("maxFrame must be at least " + MIN_FRAME);
        }
    }

    /** CRC-32C on every frame, TLS optional, 4 MiB frames. */
    public static LinkPolicy defaults() {
        return new LinkPolicy(List.of(ChecksumAlgorithm.CRC32C), false, DEFAULT_MAX_FRAME);
    }
}
