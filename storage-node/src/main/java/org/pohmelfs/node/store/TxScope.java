package org.pohmelfs.node.store;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
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
    private final List<UndoRecord> records = new ArrayList<>();
    final Set<Path> touchedFiles = new LinkedHashSet<>();
    final Set<Path> touchedDirs = new LinkedHashSet<>();
    final List<Path> trashed = new ArrayList<>();
    final List<Path> sideFiles = new ArrayList<>();
    long bytesDelta;
    long objectsDelta;

    TxScope(UndoSink sink) {
        this.sink = sink;
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

    /** The undo records written so far, oldest first. */
    public List<UndoRecord> records() {
        return Collections.unmodifiableList(records);
    }
}
