package org.pohmelfs.gateway.webdav.resource;

import io.milton.http.exceptions.BadRequestException;
import io.milton.http.exceptions.ConflictException;
import io.milton.http.exceptions.NotAuthorizedException;
import io.milton.resource.Resource;
import java.util.function.Supplier;
import org.pohmelfs.gateway.files.FileException;
import org.pohmelfs.protocol.ErrorCode;
import org.pohmelfs.protocol.ObjectPath;

/**
 * Runs a blocking FileService call for a resource and turns its failures into the exceptions
 * Milton maps to HTTP statuses: a missing parent or an occupied name is 409, a refusal 403,
 * a bad name 400. Anything else propagates (Milton answers 500); LOCKED is also noted in
 * {@link DavContext#LOCKED_OUT}, and the adapter replaces Milton's 500 with 423.
 */
final class Failures {
    private Failures() {
    }

    static <T> T run(Resource resource, Supplier<T> operation)
            throws ConflictException, NotAuthorizedException, BadRequestException {
        try {
            return operation.get();
        } catch (FileException | ObjectPath.InvalidPathException e) {
            ErrorCode code = e instanceof FileException f ? f.code() : ((ObjectPath.InvalidPathException) e).code();
            if (code == ErrorCode.LOCKED && DavContext.LOCKED_OUT.isBound()) {
                DavContext.LOCKED_OUT.get().compareAndSet(null, e.getMessage());
            }
            switch (code) {
                case NOT_FOUND, EXISTS, NOT_DIRECTORY, IS_DIRECTORY, NOT_EMPTY ->
                        throw new ConflictException(resource, e.getMessage());
                case NOT_PERMITTED, ACCESS_DENIED, READ_ONLY ->
                        throw new NotAuthorizedException(e.getMessage(), resource, 403);
                case INVALID_PATH, INVALID_ARGUMENT, NAME_TOO_LONG, NO_ATTRIBUTE, TOO_LARGE ->
                        throw new BadRequestException(resource, e.getMessage());
                default -> throw e;
            }
        }
    }
}
