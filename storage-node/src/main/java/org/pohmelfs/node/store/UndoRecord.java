package org.pohmelfs.node.store;

/**
 * How to take back one change. The transaction journal stores these (forced to disk before the
 * change is made when fsync is on) and applies them newest first to roll a transaction back.
 * Paths are relative to the export root and may name the state folder (trash, undo data).
 *
 * <p>Contract: undoing is idempotent and harmless when the change was never made (a crash can
 * fall between writing a record and making its change), so recovery may replay a record twice.
 */
public sealed interface UndoRecord {

    /** {@code path} was created; undo removes it (a whole tree for a copy). */
    record Created(String path) implements UndoRecord {
    }

    /** {@code from} was moved to {@code to}; undo moves it back if it is at {@code to} and {@code from} is free. */
    record Moved(String from, String to) implements UndoRecord {
    }

    /**
     * A file's bytes from {@code offset} were changed and its size was {@code oldSize}; undo
     * writes the old bytes back (inline, or from {@code sideFile} when not null) and sets the size.
     */
    record Bytes(String path, long offset, byte[] old, String sideFile, long oldSize) implements UndoRecord {
    }

    /** An internal extended attribute was {@code old} (null: not set); undo restores it. */
    record Xattr(String path, String name, byte[] old) implements UndoRecord {
    }

    /** An object's mtime and permission bits before a change; undo sets them back. */
    record Meta(String path, long mtimeNanos, int mode) implements UndoRecord {
    }
}
