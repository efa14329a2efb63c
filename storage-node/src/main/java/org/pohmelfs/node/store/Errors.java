package org.pohmelfs.node.store;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.FileSystemLoopException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.util.Locale;
import org.pohmelfs.protocol.ErrorCode;
import org.pohmelfs.protocol.Result;

/** Maps file-system exceptions to protocol error codes; the message never names export-internal paths. */
final class Errors {
    private Errors() {
    }

    static Result.Error of(IOException e) {
        return new Result.Error(code(e), describe(e));
    }

    static ErrorCode code(IOException e) {
        return switch (e) {
            case NoSuchFileException x -> ErrorCode.NOT_FOUND;
            case FileAlreadyExistsException x -> ErrorCode.EXISTS;
            case DirectoryNotEmptyException x -> ErrorCode.NOT_EMPTY;
            case NotDirectoryException x -> ErrorCode.NOT_DIRECTORY;
            case AccessDeniedException x -> ErrorCode.ACCESS_DENIED;
            case FileSystemLoopException x -> ErrorCode.ACCESS_DENIED;
            case FileSystemException x -> byReason(x.getReason());
            default -> ErrorCode.IO_ERROR;
        };
    }

    private static ErrorCode byReason(String reason) {
        String r = reason == null ? "" : reason.toLowerCase(Locale.ROOT);
        if (r.contains("no space")) {
            return ErrorCode.NO_SPACE;
        }
        if (r.contains("argument list too long") || r.contains("too large") || r.contains("out of range")) {
            return ErrorCode.TOO_LARGE;
        }
        if (r.contains("too many levels of symbolic links")) {
            return ErrorCode.ACCESS_DENIED;
        }
        if (r.contains("not a directory")) {
            return ErrorCode.NOT_DIRECTORY;
        }
        if (r.contains("is a directory")) {
            return ErrorCode.IS_DIRECTORY;
        }
        if (r.contains("read-only file system")) {
            return ErrorCode.READ_ONLY;
        }
        return ErrorCode.IO_ERROR;
    }

    private static String describe(IOException e) {
        if (e instanceof FileSystemException f && f.getReason() != null) {
            return f.getReason();
        }
        return e.getClass().getSimpleName();
    }
}
