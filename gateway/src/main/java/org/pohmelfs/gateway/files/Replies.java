package org.pohmelfs.gateway.files;

import org.pohmelfs.protocol.ErrorCode;
import org.pohmelfs.protocol.Message;
import org.pohmelfs.protocol.Result;

/** Unpacks node replies into typed results, turning command errors into {@link FileException}. */
final class Replies {
    private Replies() {
    }

    /** The result of command {@code index}, which must be of {@code type}. */
    static <T extends Result> T result(Message.Reply reply, int index, Class<T> type) {
        Result.Error error = reply.firstError();
        if (error != null) {
            throw new FileException(error.code(), error.message());
        }
        Result r = reply.results().get(index);
        if (r instanceof Result.Error e) {
            throw new FileException(e.code(), e.message());
        }
        if (!type.isInstance(r)) {
            throw new FileException(ErrorCode.INTERNAL, "node answered " + r.getClass().getSimpleName() + " where "
                    + type.getSimpleName() + " was expected");
        }
        return type.cast(r);
    }

    /** Throws if the transaction failed. */
    static void check(Message.Reply reply) {
        Result.Error error = reply.firstError();
        if (error != null) {
            throw new FileException(error.code(), error.message());
        }
        if (!reply.ok()) {
            throw new FileException(ErrorCode.ABORTED, "transaction aborted");
        }
    }
}
