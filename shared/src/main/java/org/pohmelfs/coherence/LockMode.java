package org.pohmelfs.coherence;

/** A lease mode (design.md §3.1). Declared weakest first, so {@code compareTo} orders by strength. */
public enum LockMode {
    /** Read, and cache clean data. Any number of holders. */
    SHARED,
    /** Write, and cache dirty data. One holder, and no shared holder beside it. */
    EXCLUSIVE;

    /** Whether a lease of this mode and one of {@code other}, held by different gateways, conflict. */
    public boolean conflictsWith(LockMode other) {
        return this == EXCLUSIVE || other == EXCLUSIVE;
    }

    /** The stronger of the two. */
    public LockMode max(LockMode other) {
        return compareTo(other) >= 0 ? this : other;
    }
}
