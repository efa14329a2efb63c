package org.pohmelfs.node.txn;

import org.pohmelfs.node.store.UndoRecord;

/** One entry of the transaction journal. {@code seq} numbers transactions within one journal file. */
sealed interface JournalRecord {

    /** A mutating transaction starts. */
    record Begin(long seq, ReplyKey key) implements JournalRecord {
    }

    /** How to take back the next change of transaction {@code seq}; written before the change. */
    record Undo(long seq, UndoRecord undo) implements JournalRecord {
    }

    /**
     * Transaction {@code seq} is decided: committed (its changes stay) or rolled back (already
     * taken back). {@code reply} holds the encoded results a resend is answered with.
     */
    record End(long seq, boolean committed, ReplyKey key, byte[] reply) implements JournalRecord {
    }
}
