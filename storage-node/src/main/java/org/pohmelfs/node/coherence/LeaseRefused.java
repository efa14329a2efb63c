package org.pohmelfs.node.coherence;

import org.pohmelfs.protocol.ErrorCode;

/** An ACQUIRE the lock table refused, or that could not be served; carries the wire error code. */
public final class LeaseRefused extends RuntimeException {
    private final ErrorCode code;

    public LeaseRefused(ErrorCode code, String message) {
        super(message, null, false, false);
        this.code = code;
    }

    public ErrorCode code() {
        return code;
    }
}
