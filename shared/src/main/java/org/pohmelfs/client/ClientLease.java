package org.pohmelfs.client;

import java.util.Optional;
import org.pohmelfs.coherence.LockMode;
import org.pohmelfs.coherence.LockScope;
import org.pohmelfs.protocol.Attr;

/**
 * A lease granted to this connection.
 *
 * @param attr           the object's attributes at grant time; empty when it does not exist
 * @param sentAtNanos    when the ACQUIRE was sent ({@code System.nanoTime()}): t_send of §3.1
 * @param deadlineNanos  {@code LeaseClock.gatewayDeadline(sentAtNanos, durationNanos)}: serve
 *                       nothing from this lease at or past it unless a renewal moved it
 */
public record ClientLease(long leaseId, String path, LockMode mode, LockScope scope, long durationNanos, long epoch,
                          Optional<Attr> attr, long sentAtNanos, long deadlineNanos) {
}
