package org.pohmelfs.node.store;

import org.pohmelfs.protocol.ErrorCode;
import org.pohmelfs.protocol.Result;

/** A command cannot be carried out; {@link #code()} is what the client is told. */
final class StoreException extends RuntimeException {
    private final ErrorCode code;

    StoreException(ErrorCode code, String message) {
        super(message, null, false, false);
        this.code = code;
    }

    ErrorCode code() {
        return code;
    }

    Result.Error toResult() {
        return new Result.Error(code, getMessage());
    }
}
