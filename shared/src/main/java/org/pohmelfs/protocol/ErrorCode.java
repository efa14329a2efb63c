package org.pohmelfs.protocol;

/**
 * Error codes carried by {@link Result.Error} and {@link Message.ConnectionError}. Numbers follow
 * POSIX errno where one fits, so an operator reading a log recognises them; protocol-level codes
 * start at 1000. Codes are part of the wire format: never renumber, only add.
 */
public enum ErrorCode {
    NOT_PERMITTED(1),
    NOT_FOUND(2),
    IO_ERROR(5),
    ACCESS_DENIED(13),
    EXISTS(17),
    NOT_DIRECTORY(20),
    IS_DIRECTORY(21),
    INVALID_ARGUMENT(22),
    FILE_TOO_LARGE(27),
    NO_SPACE(28),
    READ_ONLY(30),
    NAME_TOO_LONG(36),
    NOT_EMPTY(39),
    NO_ATTRIBUTE(61),
    /** The path is malformed or would leave the export (.., NUL, symlink out). */
    INVALID_PATH(1000),
    /** The transaction was rolled back because another command in it failed. */
    ABORTED(1001),
    /** The request names an epoch older than the node's: the sender is fenced out. */
    STALE_EPOCH(1002),
    /** The frame or request does not follow the protocol. */
    PROTOCOL_ERROR(1003),
    /** The peers cannot agree on a version, checksum algorithm, TLS or cluster. */
    HANDSHAKE_REFUSED(1004),
    /** A frame or value exceeds a negotiated or configured limit. */
    TOO_LARGE(1005),
    /** The command is known to the protocol but not supported by this node. */
    UNSUPPORTED(1006),
    /** The node is overloaded or shutting down; retry later or elsewhere. */
    BUSY(1007),
    /** A bug or an unexpected failure on the node; details are in the node's log. */
    INTERNAL(1008),
    /** A WebDAV lock held by someone else covers the path (or conflicts with the lock asked for). */
    LOCKED(1009),
    /** The lock token names no live lock covering the path, or one of another principal. */
    NO_SUCH_LOCK(1010),
    /** ACQUIRE refused: this connection already has a request queued on the same path. */
    ALREADY_PENDING(1011),
    /** ACQUIRE refused: the requesting connection was lost while the request was queued. */
    HOLDER_GONE(1012),
    /**
     * COMMIT refused: the node holds no unstable writes to the path in its current incarnation
     * (it restarted since they were made, or they were committed already), so it cannot vouch
     * that they are durable. The writer must write the data again.
     */
    UNSTABLE_LOST(1013);

    private final int code;

    ErrorCode(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    /** The code for a wire value; unknown values (from a newer peer) map to {@link #INTERNAL}. */
    public static ErrorCode of(int code) {
        for (ErrorCode e : values()) {
            if (e.code == code) {
                return e;
            }
        }
        return INTERNAL;
    }
}
