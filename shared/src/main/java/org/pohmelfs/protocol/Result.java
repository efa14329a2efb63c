package org.pohmelfs.protocol;

import java.nio.ByteBuffer;

/** The outcome of one {@link Command}. A {@link Message.Reply} holds one per command. */
public sealed interface Result {

    int opcode();

    /** Success with nothing to return. */
    record Ok() implements Result {
        public int opcode() { return Opcodes.R_OK; }
    }

    /** The command failed; in a transaction, later commands are {@link ErrorCode#ABORTED}. */
    record Error(ErrorCode code, String message) implements Result {
        public int opcode() { return Opcodes.R_ERROR; }
    }

    record Pong(long value) implements Result {
        public int opcode() { return Opcodes.R_PONG; }
    }

    /** Attributes of the object the command named (after the change, for a mutation). */
    record Attrs(Attr attr) implements Result {
        public int opcode() { return Opcodes.R_ATTRS; }
    }

    /**
     * One page of a listing.
     *
     * @param directory attributes of the listed directory (its version is the listing's ETag)
     * @param more      whether entries follow; ask again with startAfter = the last name
     */
    record Listing(Attr directory, java.util.List<DirEntry> entries, boolean more) implements Result {
        public Listing {
            entries = java.util.List.copyOf(entries);
        }
        public int opcode() { return Opcodes.R_LISTING; }
    }

    /**
     * Bytes read.
     *
     * @param attr the file's attributes when it was read: a client reading a large file in
     *             chunks compares versions to detect a change between chunks
     * @param data the bytes; fewer than asked for only at end of file
     */
    record Data(Attr attr, ByteBuffer data) implements Result {
        public Data {
            data = data.asReadOnlyBuffer();
        }
        public int opcode() { return Opcodes.R_DATA; }
    }

    record XattrValue(ByteBuffer value) implements Result {
        public XattrValue {
            value = value.asReadOnlyBuffer();
        }
        public int opcode() { return Opcodes.R_XATTR_VALUE; }
    }

    record Xattrs(java.util.List<Xattr> xattrs) implements Result {
        public Xattrs {
            xattrs = java.util.List.copyOf(xattrs);
        }
        public int opcode() { return Opcodes.R_XATTRS; }
    }

    record Statfs(NodeInfo info) implements Result {
        public int opcode() { return Opcodes.R_STATFS; }
    }

    /** WebDAV locks: the one taken or refreshed, or those covering a path. */
    record Locks(java.util.List<DavLock> locks) implements Result {
        public Locks {
            locks = java.util.List.copyOf(locks);
        }
        public int opcode() { return Opcodes.R_LOCKS; }
    }

    /**
     * A granted lease (the answer to ACQUIRE). It doubles as a STAT: {@code attr} is the object's
     * attributes when it was granted, or null when the object does not exist.
     *
     * @param durationNanos how long the lease runs on the node from its grant (or an earlier
     *                      grant, for a re-acquire of a lease already held); the client counts it
     *                      from when it sent the ACQUIRE
     * @param epoch         the node's cluster epoch
     */
    record Grant(long leaseId, boolean exclusive, boolean subtree, long durationNanos, long epoch, Attr attr)
            implements Result {
        public int opcode() { return Opcodes.R_GRANT; }

        public java.util.Optional<Attr> attrIfExists() {
            return java.util.Optional.ofNullable(attr);
        }
    }

    /**
     * The answer to RENEW.
     *
     * @param count         leases renewed
     * @param durationNanos their new duration, counted from the renewal
     */
    record Renewed(int count, long durationNanos) implements Result {
        public int opcode() { return Opcodes.R_RENEWED; }
    }

    /**
     * The answer to CHECKSUM.
     *
     * @param attr   the file's attributes when it was read (its version names the bytes summed)
     * @param sha256 the SHA-256 of the bytes asked for: exactly 32 bytes
     */
    record Checksum(Attr attr, java.nio.ByteBuffer sha256) implements Result {
        /** Bytes in a SHA-256. */
        public static final int SHA256_BYTES = 32;

        public Checksum {
            if (sha256.remaining() != SHA256_BYTES) {
                throw new IllegalArgumentException("a SHA-256 has 32 bytes, not " + sha256.remaining());
            }
            sha256 = sha256.asReadOnlyBuffer();
        }

        public int opcode() { return Opcodes.R_CHECKSUM; }
    }
}
