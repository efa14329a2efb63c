package org.pohmelfs.coherence;

import java.util.Optional;
import org.pohmelfs.protocol.ObjectPath;

/**
 * A lease as the node sees it. At most one per (holder, path). A lease is held until it is
 * released, recalled and acknowledged, or until {@code expiresAtNanos} (node clock,
 * {@code t_grant + L} or the last renewal + L). A lease with a recall outstanding is not
 * extended by RENEW, so an unanswered recall always ends by expiry.
 */
public record Lease(long leaseId, String holder, ObjectPath path, LockMode mode, LockScope scope,
                    long expiresAtNanos, Optional<RecallKind> recalled) {

    /** Whether this lease conflicts with a lease or request of another holder. */
    public boolean conflictsWith(String otherHolder, ObjectPath otherPath, LockMode otherMode, LockScope otherScope) {
        return !LockTable.sameOwner(holder, otherHolder) && mode.conflictsWith(otherMode)
                && LockScope.overlap(path, scope, otherPath, otherScope);
    }

    /** Whether this lease already gives what a request for ({@code m}, {@code s}) asks. */
    public boolean covers(LockMode m, LockScope s) {
        return mode.covers(m) && scope.compareTo(s) >= 0;
    }

    Lease withMode(LockMode m) {
        return new Lease(leaseId, holder, path, m, scope, expiresAtNanos, recalled);
    }

    Lease withExpiry(long at) {
        return new Lease(leaseId, holder, path, mode, scope, at, recalled);
    }

    Lease withRecalled(Optional<RecallKind> r) {
        return new Lease(leaseId, holder, path, mode, scope, expiresAtNanos, r);
    }
}
