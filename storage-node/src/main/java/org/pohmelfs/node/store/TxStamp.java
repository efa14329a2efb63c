package org.pohmelfs.node.store;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The version stamp of one transaction (design §4.5, rule B). Contract: a pure function of the
 * triple that names the transaction on the wire, never 0, the same on every node that receives
 * that transaction.
 *
 * <p>How: SHA-256 over {@code string(peerId) ‖ i64(incarnation) ‖ u64(txid)}, the fields encoded
 * as in protocol §3 (the peer id with its {@code u16} length, so no two triples share an input);
 * the stamp is the first 8 bytes, big-endian. Should they be 0, the next 8 are taken, and so on;
 * 1 if all 32 bytes are 0 (neither happens in practice, but 0 means "no version" in the store).
 */
public final class TxStamp {
    private TxStamp() {
    }

    public static long of(String peerId, long incarnation, long txid) {
        byte[] id = peerId.getBytes(StandardCharsets.UTF_8);
        ByteBuffer in = ByteBuffer.allocate(2 + id.length + 16);
        in.putShort((short) id.length).put(id).putLong(incarnation).putLong(txid);
        ByteBuffer h = ByteBuffer.wrap(sha256().digest(in.array()));
        while (h.remaining() >= 8) {
            long s = h.getLong();
            if (s != 0) {
                return s;
            }
        }
        return 1;
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }
}
