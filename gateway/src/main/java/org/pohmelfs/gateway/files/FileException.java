package org.pohmelfs.gateway.files;

import org.pohmelfs.protocol.ErrorCode;

/** A file operation failed; the code says why (the front ends map it to an HTTP status). */
public class FileException extends RuntimeException {
    private final ErrorCode code;

    public FileException(ErrorCode code, String message) {
        super(message);
        this.code = code;
    }

    public ErrorCode code() {
        return code;
    }
}
