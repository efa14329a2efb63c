package org.pohmelfs.gateway.http;

import org.pohmelfs.protocol.ErrorCode;
import org.springframework.http.HttpStatus;

/** The HTTP status for each protocol error code, the same for REST and WebDAV. */
public final class HttpErrors {
    private HttpErrors() {
    }

    public static HttpStatus status(ErrorCode code) {
        return switch (code) {
            case NOT_FOUND, NO_ATTRIBUTE -> HttpStatus.NOT_FOUND;
            case EXISTS, NOT_DIRECTORY, IS_DIRECTORY, NOT_EMPTY -> HttpStatus.CONFLICT;
            case INVALID_PATH, INVALID_ARGUMENT, PROTOCOL_ERROR -> HttpStatus.BAD_REQUEST;
            case NAME_TOO_LONG -> HttpStatus.URI_TOO_LONG;
            case NOT_PERMITTED, ACCESS_DENIED, READ_ONLY -> HttpStatus.FORBIDDEN;
            case NO_SPACE -> HttpStatus.INSUFFICIENT_STORAGE;
            case FILE_TOO_LARGE, TOO_LARGE -> HttpStatus.CONTENT_TOO_LARGE;
            // UNSTABLE_LOST: a node restarted during an upload and may have lost its unstable writes; retry.
            case BUSY, STALE_EPOCH, HANDSHAKE_REFUSED, ABORTED, ALREADY_PENDING, HOLDER_GONE, UNSTABLE_LOST ->
                    HttpStatus.SERVICE_UNAVAILABLE;
            case UNSUPPORTED -> HttpStatus.NOT_IMPLEMENTED;
            case LOCKED -> HttpStatus.LOCKED;
            case NO_SUCH_LOCK -> HttpStatus.CONFLICT;
            case IO_ERROR, INTERNAL -> HttpStatus.INTERNAL_SERVER_ERROR;
        };
    }
}
