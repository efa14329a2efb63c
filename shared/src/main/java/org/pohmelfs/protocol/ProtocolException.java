package org.pohmelfs.protocol;

/**
 * A peer broke the protocol: a malformed frame, a bad checksum, a value over a limit. The
 * connection that saw it answers with a {@link Message.ConnectionError} and closes.
 */
public class ProtocolException extends RuntimeException {
    private final ErrorCode code;

    public ProtocolException(String message) {
        this(ErrorCode.PROTOCOL_ERROR, message);
    }

    public ProtocolException(ErrorCode code, String message) {
        super(message);
        this.code = code;
    }

    public ErrorCode code() {
        return code;
    }
}
