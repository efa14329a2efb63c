package org.pohmelfs.client;

import org.pohmelfs.protocol.ErrorCode;

/**
 * A connection-level failure talking to a node: refused handshake, lost connection, timeout.
 * A failed command is not an exception: it is a {@code Result.Error} in the reply.
 */
public class NodeException extends RuntimeException {
    private final ErrorCode code;

    public NodeException(ErrorCode code, String message) {
        super(message);
        this.code = code;
    }

    public NodeException(ErrorCode code, String message, Throwable cause) {
        super(message, cause);
        this.code = code;
    }

    public ErrorCode code() {
        return code;
    }

    /** The reply did not come within the request timeout; the transaction may or may not be applied. */
    public static final class Timeout extends NodeException {
        public Timeout(String message) {
            super(ErrorCode.BUSY, message);
        }
    }

    /** The connection closed before the reply came; the transaction may or may not be applied. */
    public static final class ConnectionLost extends NodeException {
        public ConnectionLost(String message) {
            super(ErrorCode.IO_ERROR, message);
        }
    }
}
