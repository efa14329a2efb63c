/**
 * The storage node's lease driver (design.md §3.4): the I/O around the pure
 * {@link org.pohmelfs.coherence.LockTable}. One table per node, stepped on one thread; grants and
 * recalls go out over the connections that asked; mutations from connections without a lease
 * take transient exclusive locks first ({@link org.pohmelfs.node.coherence.MutationLocks}).
 */
package org.pohmelfs.node.coherence;
