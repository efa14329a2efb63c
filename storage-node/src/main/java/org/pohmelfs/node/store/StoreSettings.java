package org.pohmelfs.node.store;

import java.nio.file.Path;
import java.util.Objects;

/**
 * What the local store needs to know about its export.
 *
 * @param export            the export directory; its contents are plain files an operator can list
 * @param sizeLimitBytes    the most bytes the export's files may hold; 0 for no limit
 * @param readOnly          refuse every mutation with READ_ONLY
 * @param fsync             force the journal before each change and changed files before each commit
 *                          (off: atomic against a process kill, not against power loss)
 * @param replyCacheEntries how many transaction replies are kept for exactly-once resends
 * @param unstableWrites    take WRITE_UNSTABLE as such (commit without forcing, until COMMIT);
 *                          off: every write is durable at its reply and COMMIT acts as SYNC
 */
public record StoreSettings(Path export, long sizeLimitBytes, boolean readOnly, boolean fsync, int replyCacheEntries,
                            boolean unstableWrites) {

    /** With unstable writes on. */
    public StoreSettings(Path export, long sizeLimitBytes, boolean readOnly, boolean fsync, int replyCacheEntries) {
        this(export, sizeLimitBytes, readOnly, fsync, replyCacheEntries, true);
    }

    public StoreSettings {
        Objects.requireNonNull(export, "export");
        if (sizeLimitBytes < 0) {
            throw new IllegalArgumentException("sizeLimitBytes must be >= 0: " + sizeLimitBytes);
        }
        if (replyCacheEntries < 1) {
            throw new IllegalArgumentException("replyCacheEntries must be >= 1: " + replyCacheEntries);
        }
    }

    /** No size limit, writable, fsync on, 10 000 cached replies. */
    public static StoreSettings defaults(Path export) {
        return new StoreSettings(export, 0, false, true, 10_000);
    }

    public StoreSettings withSizeLimit(long bytes) {
        return new StoreSettings(export, bytes, readOnly, fsync, replyCacheEntries, unstableWrites);
    }

    public StoreSettings withReadOnly(boolean ro) {
        return new StoreSettings(export, sizeLimitBytes, ro, fsync, replyCacheEntries, unstableWrites);
    }

    public StoreSettings withFsync(boolean f) {
        return new StoreSettings(export, sizeLimitBytes, readOnly, f, replyCacheEntries, unstableWrites);
    }

    public StoreSettings withReplyCacheEntries(int n) {
        return new StoreSettings(export, sizeLimitBytes, readOnly, fsync, n, unstableWrites);
    }

    public StoreSettings withUnstableWrites(boolean on) {
        return new StoreSettings(export, sizeLimitBytes, readOnly, fsync, replyCacheEntries, on);
    }
}
