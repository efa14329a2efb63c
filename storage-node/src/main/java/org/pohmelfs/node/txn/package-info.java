/**
 * All-or-nothing, exactly-once transactions over the local store.
 *
 * <h2>Design notes</h2>
 * <ul>
 *   <li><b>Journal</b>: an undo (write-ahead) log, {@code .pohmelfs/journal}, CRC32C-framed
 *       records Begin / Undo / End (see {@link org.pohmelfs.node.txn.JournalCodec}). Undo records
 *       are appended (and forced when fsync is on) before their change; End carries the encoded
 *       reply and is forced after the write lock is released, by a force shared among every
 *       transaction waiting (group commit: {@link org.pohmelfs.node.txn.ForceBook} keeps the
 *       LSNs, {@link org.pohmelfs.node.txn.Journal#sync} forces). At open, a transaction without End is rolled back newest record first (undo steps
 *       are idempotent), then the journal is rewritten to hold only the reply cache's End
 *       records; it is compacted the same way when it passes 8 MiB.</li>
 *   <li><b>Reply cache</b>: keyed by (peerId, incarnation, txid), bounded, oldest dropped; holds
 *       committed and rolled-back replies; rebuilt from the journal at open.</li>
 *   <li><b>Locking</b>: one fair read/write lock; read-only requests share the read lock, a
 *       mutating transaction holds the write lock throughout.</li>
 *   <li><b>Failure of the journal itself</b>: if a decision cannot be journalled or a rollback
 *       step fails, the manager refuses further mutations (IO_ERROR) until restarted, so recovery
 *       never replays undo records over later transactions.</li>
 * </ul>
 */
package org.pohmelfs.node.txn;
