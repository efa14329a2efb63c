package org.pohmelfs.gateway.webdav.resource;

import io.milton.http.HttpManager;
import io.milton.http.Request;
import io.milton.http.exceptions.BadRequestException;
import io.milton.http.exceptions.ConflictException;
import io.milton.http.exceptions.NotAuthorizedException;
import io.milton.resource.Resource;
import java.util.function.Supplier;
import org.pohmelfs.gateway.files.FileException;
import org.pohmelfs.gateway.http.HttpErrors;
import org.pohmelfs.protocol.ErrorCode;
import org.pohmelfs.protocol.ObjectPath;

/**
 * Runs a blocking FileService call for a resource and turns its failures into the exceptions
 * Milton maps to HTTP statuses: a missing parent or an occupied name is 409, a refusal 403,
 * a bad name 400. Anything else propagates. LOCKED is also noted in {@link DavContext#LOCKED_OUT}
 * and the adapter replaces Milton's 500 with 423; for a node error with its own HTTP status (NO_SPACE
 * 507, BUSY 503), that status is left in the request attribute {@link #STATUS_HINT}, which the
 * adapter uses in place of Milton's 500.
 */
public final class Failures {
    /** Request attribute: the HTTP status (Integer) a failed request should answer instead of 500. */
    public static final String STATUS_HINT = "pohmelfs.statusHint";

    /** Request attribute: an HTTP status (Integer) to send whatever Milton chose (416 for a range). */
    public static final String STATUS_OVERRIDE = "pohmelfs.statusOverride";

    /**
     * Request attribute: set (to true) when a GET found the file changed or gone after Milton's
     * lookup. The adapter runs the request again from a fresh lookup if nothing was sent yet,
     * and cuts the connection if bytes are already on the wire (never two versions in one body).
     */
    public static final String STALE = "pohmelfs.stale";

    private Failures() {
    }

    /** Leaves {@code status} to be sent whatever Milton chooses (see {@link #STATUS_OVERRIDE}). */
    static void override(int status) {
        Request request = HttpManager.request();
        if (request != null) {
            request.getAttributes().put(STATUS_OVERRIDE, status);
        }
    }

    /**
     * Like {@link #run}, for an operation on {@code self} as Milton looked it up: when it fails with
     * NOT_FOUND and {@code self} is gone now, it vanished after the lookup (another writer
     * deleted or moved it), and a single server would have answered 404, not 409; otherwise
     * (a destination's parent missing) it stays 409.
     */
    static <T> T runOn(DavResource self, Supplier<T> operation)
            throws ConflictException, NotAuthorizedException, BadRequestException {
        try {
            return run(self, operation);
        } catch (ConflictException e) {
            if (notFound(e.getCause()) && self.context.files().find(self.path).blockOptional().isEmpty()) {
                override(404);
            }
            throw e;
        }
    }

    /**
     * Like {@link #run}, for an operation that names only {@code self}'s own path (DELETE, PROPPATCH):
     * NOT_FOUND means it was gone when the node applied the change, whatever has been created
     * under that name since, so the answer is 404 (a single server with the change first).
     */
    static <T> T runOnItself(DavResource self, Supplier<T> operation)
            throws ConflictException, NotAuthorizedException, BadRequestException {
        try {
            return run(self, operation);
        } catch (ConflictException e) {
            if (notFound(e.getCause())) {
                override(404);
            }
            throw e;
        }
    }

    static boolean notFound(Throwable t) {
        return t instanceof FileException f && f.code() == ErrorCode.NOT_FOUND;
    }

    /** The status to send for Milton's {@code code}, given the request's attributes. */
    public static int statusToSend(int code, java.util.Map<String, Object> attributes) {
        if (attributes.get(STATUS_OVERRIDE) instanceof Integer override) {
            return override;
        }
        if (code == 500 && attributes.get(STATUS_HINT) instanceof Integer hint) {
            return hint;
        }
        return code;
    }

    private static void hint(ErrorCode code) {
        Request request = HttpManager.request();
        int status = HttpErrors.status(code).value();
        if (request != null && status != 500) {
            request.getAttributes().put(STATUS_HINT, status);
        }
    }

    /**
     * A node error as the REST API answers it, instead of Milton's 500: 502 when a node refused
     * this gateway's handshake (a configuration fault), else 503 (no node could answer).
     */
    public static void hintNode(org.pohmelfs.client.NodeException e) {
        Request request = HttpManager.request();
        if (request != null) {
            request.getAttributes().put(STATUS_HINT,
                    e instanceof org.pohmelfs.client.NodeException.HandshakeRefused ? 502 : 503);
        }
    }

    static <T> T run(Resource resource, Supplier<T> operation)
            throws ConflictException, NotAuthorizedException, BadRequestException {
        try {
            return operation.get();
        } catch (org.pohmelfs.client.NodeException e) {
            hintNode(e);
            throw e;
        } catch (FileException | ObjectPath.InvalidPathException e) {
            ErrorCode code = e instanceof FileException f ? f.code() : ((ObjectPath.InvalidPathException) e).code();
            if (code == ErrorCode.LOCKED && DavContext.LOCKED_OUT.isBound()) {
                DavContext.LOCKED_OUT.get().compareAndSet(null, e.getMessage());
            }
            switch (code) {
                case NOT_FOUND, EXISTS, NOT_DIRECTORY, IS_DIRECTORY, NOT_EMPTY -> {
                    ConflictException conflict = new ConflictException(resource, e.getMessage());
                    conflict.initCause(e);
                    throw conflict;
                }
                case NOT_PERMITTED, ACCESS_DENIED, READ_ONLY ->
                        throw new NotAuthorizedException(e.getMessage(), resource, 403);
                case INVALID_PATH, INVALID_ARGUMENT, NAME_TOO_LONG, NO_ATTRIBUTE, TOO_LARGE ->
                        throw new BadRequestException(resource, e.getMessage());
                default -> {
                    hint(code);
                    throw e;
                }
            }
        }
    }
}
