package org.pohmelfs.gateway.testing;

import java.io.InputStream;
import java.security.MessageDigest;

/** Deterministic, incompressible-looking bytes of a given length, digested as they are read. */
public final class PatternStream extends InputStream {
    private final long size;
    private final MessageDigest digest;
    private long position;
    private long state = 0x9E3779B97F4A7C15L;

    public PatternStream(long size, MessageDigest digest) {
        this.size = size;
        this.digest = digest;
    }

    @Override
    public int read() {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
    }

    @Override
    public int read(byte[] b, int off, int len) {
        if (position >= size) {
            return -1;
        }
        int n = (int) Math.min(len, size - position);
        for (int i = 0; i < n; i++) {
            state ^= state << 13;
            state ^= state >>> 7;
            state ^= state << 17;
            b[off + i] = (byte) state;
        }
        digest.update(b, off, n);
        position += n;
        return n;
    }
}
