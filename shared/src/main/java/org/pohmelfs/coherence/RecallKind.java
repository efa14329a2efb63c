package org.pohmelfs.coherence;

/** What a recall PUSH asks of a holder (design.md §3.1). Declared weakest first. */
public enum RecallKind {
    /** RECALL_SHARED: flush dirty data and keep only a shared lease. */
    TO_SHARED,
    /** RECALL_EXCLUSIVE: flush or drop, and give the lease up. */
    TO_NOTHING;

    /**
     * The recall a request of {@code wanted} needs from a conflicting lease of {@code held}: an
     * exclusive lease that blocks a shared request only has to come down to shared; every other
     * conflict needs the lease gone.
     */
    public static RecallKind neededFor(LockMode wanted, LockMode held) {
        return wanted == LockMode.SHARED && held == LockMode.EXCLUSIVE ? TO_SHARED : TO_NOTHING;
    }
}
