package org.pohmelfs.coherence;

/** What a recall PUSH asks of a holder (design.md §3.1). Declared weakest first. */
public enum RecallKind {
    /** RECALL_SHARED: flush dirty data and keep only a shared lease. */
    TO_SHARED,
    /** RECALL_EXCLUSIVE: flush or drop, and give the lease up. */
    TO_NOTHING;

    /** The recall a request of {@code mode} needs from a conflicting lease. */
    public static RecallKind neededFor(LockMode mode) {
        return switch (mode) {
            case SHARED -> TO_SHARED;
            case EXCLUSIVE -> TO_NOTHING;
        };
    }
}
