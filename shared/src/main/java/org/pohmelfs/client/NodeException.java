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

    /**
     * No session could be opened: the connection was refused, or closed before the handshake
     * ended (what a proxy or load balancer in front of a dead node does). Nothing was sent on
     * it, so nothing of a request was applied through it. A connect that timed out is a
     * {@link Timeout}, not this: the node may be alive behind a slow network.
     */
    public static final class Unreachable extends NodeException {
        public Unreachable(String message, Throwable cause) {
            super(ErrorCode.IO_ERROR, message, cause);
        }
    }

    /**
     * The node and this side refused to talk: a TLS handshake failed (this side refused the
     * node's certificate, or the node refused ours with a TLS alert), or the node refused the
     * HELLO (plaintext to a node that requires TLS, another cluster, no common version), or this
     * side refused the WELCOME. A configuration fault of one side or the other, not evidence that
     * the node is dead: it never counts as {@link Unreachable}, so a gateway never fences a node
     * for it. Nothing was sent on the connection.
     */
    public static final class HandshakeRefused extends NodeException {
        public HandshakeRefused(String message) {
            super(ErrorCode.HANDSHAKE_REFUSED, message);
        }
    }
}
