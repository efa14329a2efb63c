package org.pohmelfs.protocol;

/**
 * Wire opcodes. Frame types identify a frame; command opcodes identify a command inside a
 * request. Values are fixed forever; ranges reserved for later issues are listed so no one
 * takes them by accident.
 */
public final class Opcodes {
    private Opcodes() {
    }

    // Frame types (u16, in every frame header).
    public static final int FRAME_HELLO = 1;
    public static final int FRAME_WELCOME = 2;
    public static final int FRAME_REQUEST = 3;
    public static final int FRAME_REPLY = 4;
    /** Server-initiated message (lock recall, invalidation, cluster-map change). */
    public static final int FRAME_PUSH = 5;
    /** Acknowledgement of a push, matched by the push's id. */
    public static final int FRAME_PUSH_ACK = 6;
    /** Connection-level error; the sender closes the connection after it. */
    public static final int FRAME_ERROR = 7;

    // Commands (u16, inside a REQUEST).
    public static final int PING = 0x0001;
    public static final int STATFS = 0x0002;
    public static final int SYNC = 0x0003;
    /** Make the unstable writes to a path durable (feature {@code unstable}). */
    public static final int COMMIT = 0x0004;
    public static final int STAT = 0x0010;
    public static final int LIST = 0x0011;
    public static final int READ = 0x0012;
    public static final int WRITE = 0x0020;
    public static final int CREATE = 0x0021;
    public static final int MKDIR = 0x0022;
    public static final int DELETE = 0x0023;
    public static final int RENAME = 0x0024;
    public static final int COPY = 0x0025;
    public static final int TRUNCATE = 0x0026;
    public static final int SETATTR = 0x0027;
    /** WRITE whose durability waits for a COMMIT of the path (feature {@code unstable}); same body as WRITE. */
    public static final int WRITE_UNSTABLE = 0x0028;
    public static final int XATTR_GET = 0x0030;
    public static final int XATTR_SET = 0x0031;
    public static final int XATTR_LIST = 0x0032;
    public static final int XATTR_REMOVE = 0x0033;
    /** Coherence leases (design.md §3.1); only with the {@code locks} and {@code push} features. */
    public static final int ACQUIRE = 0x0040;
    public static final int RELEASE = 0x0041;
    public static final int RENEW = 0x0042;
    public static final int DOWNGRADE = 0x0043;
    /**
     * First command of a mutating transaction: the node keeps its transient mutation locks after
     * the commit until UNHOLD (feature {@code hold}, protocol §4.8.2, design.md §4.7).
     */
    public static final int HOLD = 0x0044;
    /** Releases what HOLD kept for a txid on this connection (feature {@code hold}). */
    public static final int UNHOLD = 0x0045;
    /** 0x0040-0x004F: coherence locks; 0x0046-0x004F are still free. */
    public static final int RESERVED_LOCKS_FIRST = 0x0040;
    public static final int RESERVED_LOCKS_LAST = 0x004F;
    /** 0x0050-0x005F: replication and resync (change log, checksum scan); 0x0051-0x005F are still free. */
    public static final int RESERVED_SYNC_FIRST = 0x0050;
    public static final int RESERVED_SYNC_LAST = 0x005F;
    /** SHA-256 of a byte range of a file (a resync's verify pass, design.md §5). */
    public static final int CHECKSUM = 0x0050;
    /** 0x0060-0x006F: WebDAV locks (class 2), held and enforced by the node. */
    public static final int LOCK = 0x0060;
    public static final int LOCK_REFRESH = 0x0061;
    public static final int UNLOCK = 0x0062;
    public static final int LOCKS = 0x0063;
    public static final int TOKENS = 0x0064;

    // Results (u16, inside a REPLY).
    public static final int R_OK = 0x0001;
    public static final int R_ERROR = 0x0002;
    public static final int R_PONG = 0x0003;
    public static final int R_ATTRS = 0x0004;
    public static final int R_LISTING = 0x0005;
    public static final int R_DATA = 0x0006;
    public static final int R_XATTR_VALUE = 0x0007;
    public static final int R_XATTRS = 0x0008;
    public static final int R_STATFS = 0x0009;
    /** WebDAV lock results take their number from the WebDAV lock range. */
    public static final int R_LOCKS = 0x0060;
    /** The answer to ACQUIRE. */
    public static final int R_GRANT = 0x000A;
    /** The answer to RENEW. */
    public static final int R_RENEWED = 0x000B;
    /** The answer to CHECKSUM; takes its number from the replication range. */
    public static final int R_CHECKSUM = 0x0050;

    // Pushes (u16, inside a PUSH).
    /** Sent in the handshake and never otherwise; reserved for recall (coherence issue). */
    public static final int PUSH_NOTICE = 0x0001;
    /** Flush dirty data and keep only a shared lease; text = the lease id in decimal. */
    public static final int PUSH_RECALL_SHARED = 0x0002;
    /** Flush or drop, and give the lease up; text = the lease id in decimal. */
    public static final int PUSH_RECALL_EXCLUSIVE = 0x0003;
    /** Reserved: the cluster map changed (replication issue). */
    public static final int PUSH_MAP_CHANGED = 0x0004;

    // Features (HELLO and WELCOME string sets).
    /** ACQUIRE, RELEASE, RENEW, DOWNGRADE may be sent. */
    public static final String FEATURE_LOCKS = "locks";
    /** The node may send recall pushes; the client answers each with PUSH_ACK. */
    public static final String FEATURE_PUSH = "push";
    /** WRITE_UNSTABLE and COMMIT may be sent (protocol §4.8, design.md "Unstable writes"). */
    public static final String FEATURE_UNSTABLE = "unstable";
    /** HOLD and UNHOLD may be sent (protocol §4.8.2, design.md §4.7). */
    public static final String FEATURE_HOLD = "hold";
}
