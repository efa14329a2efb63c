package org.pohmelfs.coherence;

/**
 * A lease mode (design.md §3.1). The modes are not totally ordered: use {@link #covers} and
 * {@link #join}, not {@code compareTo}.
 *
 * <pre>
 *               SHARED  INTENT  EXCLUSIVE   (held by another holder)
 *   SHARED        ok     conflict  conflict
 *   INTENT     conflict    ok      conflict
 *   EXCLUSIVE  conflict  conflict  conflict
 * </pre>
 */
public enum LockMode {
    /** Read, and cache clean data: a file's content and attributes, or a directory's listing,
     *  its entries' attributes and its own version. Any number of holders. */
    SHARED,
    /**
     * Intent to change something below a directory (IX in multi-granularity locking). A change
     * at a path changes the version of every ancestor and the listing of its parent, so it
     * takes INTENT on each ancestor: that recalls the SHARED leases there (cached listings and
     * versions), but several writers below the same directory do not exclude each other.
     */
    INTENT,
    /** Write, and cache dirty data. One holder, and no other lease beside it. */
    EXCLUSIVE;

    /** Whether a lease of this mode and one of {@code other}, held by different gateways, conflict. */
    public boolean conflictsWith(LockMode other) {
        return this == EXCLUSIVE || other == EXCLUSIVE || this != other;
    }

    /** Whether a lease of this mode already gives what a request for {@code wanted} asks. */
    public boolean covers(LockMode wanted) {
        return this == EXCLUSIVE || this == wanted;
    }

    /** The weakest mode that covers both: the mode of an upgrade. SHARED and INTENT join to EXCLUSIVE. */
    public LockMode join(LockMode other) {
        return this == other ? this : EXCLUSIVE;
    }
}
