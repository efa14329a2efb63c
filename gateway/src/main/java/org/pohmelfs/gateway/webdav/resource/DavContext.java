package org.pohmelfs.gateway.webdav.resource;

import org.pohmelfs.gateway.files.FileService;
import org.pohmelfs.gateway.webdav.lock.DavLockHandler;
import reactor.core.scheduler.Scheduler;

/**
 * What the resources need: the file service, a scheduler on virtual threads for reading
 * request bodies (blocking InputStreams) into upload chunks, the listing page size, and the
 * lock handler (for lockdiscovery).
 *
 * <p>{@link #files()} is the request's file service when {@link #REQUEST_FILES} is bound (the
 * adapter binds one carrying the lock tokens of the request's If header), else the shared one.
 */
public record DavContext(FileService files, Scheduler blocking, int pageSize, DavLockHandler locks) {
    /** The file service of the request being served, with its submitted lock tokens. */
    public static final ScopedValue<FileService> REQUEST_FILES = ScopedValue.newInstance();

    /**
     * Set by {@link Failures} when the node refused a change with LOCKED: Milton has no 423 for
     * most methods, so the adapter answers 423 itself once Milton returns.
     */
    public static final ScopedValue<java.util.concurrent.atomic.AtomicReference<String>> LOCKED_OUT =
            ScopedValue.newInstance();

    @Override
    public FileService files() {
        return REQUEST_FILES.isBound() ? REQUEST_FILES.get() : files;
    }
}
