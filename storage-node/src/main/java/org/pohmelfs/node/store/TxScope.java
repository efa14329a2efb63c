package org.pohmelfs.node.store;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * What one mutating transaction has done so far: the undo records it wrote (oldest first), the
 * change in used bytes and objects it will make on commit, the files to force at commit, and the
 * trash entries and undo side files to remove once it is decided.
 *
 * <p>Not thread-safe: a transaction runs on one thread.
 */
public final class TxScope {

    /** Where undo records go before their change is made (the journal). */
    @FunctionalInterface
    public interface UndoSink {
        /** Makes {@code records} durable (as far as the settings ask) before returning. */
        void write(List<UndoRecord> records) throws IOException;
    }

    private final UndoSink sink;
    /** This transaction's version stamp ({@link TxStamp}). */
    final long stamp;
    /**
     * Directories whose version this transaction has already set or advanced: rule B adds the
     * stamp once per transaction, however many of its commands touch below a directory.
     */
    final Set<Path> versioned = new HashSet<>();
    private final List<UndoRecord> records = new ArrayList<>();
    final Set<Path> touchedFiles = new LinkedHashSet<>();
    final Set<Path> touchedDirs = new LinkedHashSet<>();
    final List<Path> trashed = new ArrayList<>();
    final List<Path> sideFiles = new ArrayList<>();
    long bytesDelta;
    long objectsDelta;

    TxScope(UndoSink sink, long stamp) {
        this.sink = sink;
        this.stamp = stamp;
    }

    /** The version stamp that this transaction gives what it writes and creates. */
    public long stamp() {
        return stamp;
    }

    /** Journals {@code rs}; the caller makes the changes only after this returns. */
    void before(List<UndoRecord> rs) throws IOException {
        if (rs.isEmpty()) {
            return;
        }
        sink.write(rs);
        records.addAll(rs);
    }

    void before(UndoRecord... rs) throws IOException {
        before(List.of(rs));
    }

    void account(long bytes, long objects) {
        bytesDelta += bytes;
        objectsDelta += objects;
    }

    /**
     * Whether an undo side file protects a change of this transaction (an overwrite of more
     * than 1 MiB of existing bytes): its decision must then be forced, because the side file is
     * purged once the decision is journalled.
     */
    public boolean hasSideFiles() {
        return !sideFiles.isEmpty();
    }

    /** Whether this transaction created or removed entries of a folder (its folders are forced at a stable commit). */
    public boolean changedFolders() {
        return !touchedDirs.isEmpty() || !trashed.isEmpty();
    }

    /** The undo records written so far, oldest first. */
    public List<UndoRecord> records() {
        return Collections.unmodifiableList(records);
    }
}
