/**
 * The storage node's local store: executes protocol commands against plain files under the
 * export directory. Pure file I/O (no Netty, Reactor or Spring).
 *
 * <h2>Design notes</h2>
 * <ul>
 *   <li><b>Confinement</b> ({@link org.pohmelfs.node.store.ExportPaths}): every path goes through
 *       {@code ObjectPath.parse}; the first component may not be {@code .pohmelfs}; each existing
 *       component is checked without following links and any symbolic link is ACCESS_DENIED,
 *       wherever it points. Files are opened with NOFOLLOW_LINKS too.</li>
 *   <li><b>State folder</b> {@code .pohmelfs/}: {@code journal},
 *       {@code trash/} (deleted and replaced trees awaiting removal), {@code undo/} (large saved
 *       byte ranges). Never listed, never addressable by clients.</li>
 *   <li><b>Versions and xattrs</b> live in {@code user.*} xattrs ({@code user.pohmelfs.v}, 8 bytes;
 *       client attribute n in {@code user.pohmelfs.x.n}), so renames carry them. Versions follow
 *       rule B (design §4.5): each transaction has a stamp ({@link org.pohmelfs.node.store.TxStamp},
 *       a hash of peer id, incarnation and txid); files it writes and folders it creates get the
 *       stamp, every folder it changes and every ancestor up to the root advance by it (mod 2^64),
 *       once per transaction. Objects an operator adds behind the node's back get a random
 *       version at the next start.</li>
 *   <li><b>Undo</b>: every change is preceded by {@link org.pohmelfs.node.store.UndoRecord}s handed
 *       to the {@link org.pohmelfs.node.store.TxScope} (which journals them), including old
 *       mtimes/modes and old versions, so a rollback restores the tree exactly.</li>
 *   <li><b>Durability</b> (fsync on): undo records are forced before their change; a large saved
 *       range goes to a side file in {@code undo/}, forced together with the folder's entry for it
 *       before the change. At commit the touched files and folders are forced. Ancestors whose
 *       version stamp changed are not forced: on ext4 with its journal (the deployment here) the
 *       file's fsync commits the journal transaction that holds the earlier stamps, and forcing
 *       them cost a cache flush per folder (docs/benchmarks-node.md).</li>
 *   <li><b>Usage</b>: counted at start-up; committed transactions add their deltas; trash takes
 *       bytes off only when the background purger has removed it.</li>
 * </ul>
 */
package org.pohmelfs.node.store;
