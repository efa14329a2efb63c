package org.pohmelfs.coherence;

import java.util.List;
import org.pohmelfs.protocol.ObjectPath;

/**
 * What the lock table asks its driver to do, in the order it was decided. The driver sends
 * the grants before the recalls (a recall may name a lease granted in the same batch, and on
 * one connection the grant must arrive first), then calls {@link LockTable#advance()}.
 */
public record LockReady(List<Recall> recalls, List<Grant> grants, List<Refusal> refusals) {
    public LockReady {
        recalls = List.copyOf(recalls);
        grants = List.copyOf(grants);
        refusals = List.copyOf(refusals);
    }

    public boolean isEmpty() {
        return recalls.isEmpty() && grants.isEmpty() && refusals.isEmpty();
    }

    /** A PUSH to send: RECALL_SHARED or RECALL_EXCLUSIVE of the holder's lease on the path. */
    public record Recall(long pushId, String holder, ObjectPath path, long leaseId, RecallKind kind) {
    }

    /** A REPLY to an ACQUIRE: the lease granted (or already held, for an idempotent re-acquire). */
    public record Grant(long requestId, String holder, ObjectPath path, long leaseId, LockMode mode,
                        LockScope scope, long expiresAtNanos) {
    }

    /** A REPLY refusing an ACQUIRE. */
    public record Refusal(long requestId, String holder, ObjectPath path, Reason reason) {
    }

    /** Why an acquire was refused. */
    public enum Reason {
        /** The holder already has a request queued on this path; its answer covers this one. */
        ALREADY_PENDING,
        /** The holder's connection was lost while the request was queued. */
        HOLDER_GONE
    }
}
