package org.pohmelfs.cluster;

/** A storage node's standing in the cluster map (design.md §4.1). */
public enum MemberState {
    /** Holds every acknowledged write: receives writes, serves reads, may be the lock authority. */
    IN_SYNC,
    /** Catching up from a peer (design.md §5): receives live writes, serves no reads. */
    RESYNCING,
    /** Fenced: receives nothing and must resync before it serves again. */
    OUT
}
