package org.pohmelfs.coherence;

import org.pohmelfs.protocol.ObjectPath;

/**
 * A queued acquire. For an upgrade, mode and scope are already the stronger of what the holder
 * has and what it asked for, and the holder keeps its current lease until the grant replaces it.
 */
public record LockRequest(long requestId, String holder, ObjectPath path, LockMode mode, LockScope scope) {

    /** Whether this and a later request, or a lease, of another holder cannot both be granted. */
    public boolean conflictsWith(String otherHolder, ObjectPath otherPath, LockMode otherMode, LockScope otherScope) {
        return !LockTable.sameOwner(holder, otherHolder) && mode.conflictsWith(otherMode)
                && LockScope.overlap(path, scope, otherPath, otherScope);
    }

    public boolean conflictsWith(LockRequest o) {
        return conflictsWith(o.holder, o.path, o.mode, o.scope);
    }

    public boolean conflictsWith(Lease l) {
        return conflictsWith(l.holder(), l.path(), l.mode(), l.scope());
    }
}
