package org.pohmelfs.cluster;

/** A map transition that would break an invariant of {@link ClusterMap}; the map is unchanged. */
public final class MapChangeRefused extends RuntimeException {
    /** Why a transition was refused. */
    public enum Reason {
        /** No member has that id. */
        UNKNOWN_MEMBER,
        /** A member with that id, or that address, exists already. */
        DUPLICATE_MEMBER,
        /** The change would leave no IN_SYNC member: nothing would hold every write. */
        LAST_IN_SYNC,
        /** The member's state does not allow this transition (say, promoting an OUT node). */
        WRONG_STATE
    }

    private final Reason reason;

    public MapChangeRefused(Reason reason, String message) {
        super(reason + ": " + message, null, false, false);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
