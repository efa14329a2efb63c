package org.pohmelfs.client;

import org.pohmelfs.coherence.RecallKind;
import reactor.core.publisher.Mono;

/**
 * What a caching client (the gateway's cache) hears about the leases of one connection. Register
 * it with {@link NodeClient#connectWithLeases}; the connection
 * then asks for the {@code locks} and {@code push} features.
 */
public interface LeaseListener {

    /**
     * The node recalls a lease: flush dirty data, then downgrade ({@link RecallKind#TO_SHARED}) or
     * drop ({@link RecallKind#TO_NOTHING}) the cached object. The client sends PUSH_ACK OK when
     * the Mono completes, ERROR when it fails (the lease then runs out on the node). Called on
     * the connection's event loop: do not block, return the work as a Mono.
     */
    Mono<Void> recall(Recall recall);

    /**
     * A RENEW (automatic, at the renewal point) succeeded: every lease of the connection without
     * an outstanding recall now runs to {@code LeaseClock.gatewayDeadline(sentAtNanos, durationNanos)}.
     */
    default void renewed(long sentAtNanos, int count, long durationNanos) {
    }

    /**
     * The connection is lost. Every lease from it ends at its client-side deadline, not earlier
     * or later (design.md §3.2); nothing more is renewed.
     */
    default void lost(NodeException why) {
    }

    /**
     * The node refused to renew this connection's leases with STALE_EPOCH: it is no longer the
     * lock authority (design.md §4.4). Every lease from this connection is dropped now (not at
     * its deadline) and nothing is renewed again until a new grant; the connection stays open.
     */
    default void renewRefused(NodeException why) {
    }

    /**
     * This client connected to a node whose incarnation differs from the one it saw before: the
     * node restarted, and every lease and cached entry from its earlier incarnation must go.
     * Called before the connect future completes.
     */
    default void incarnationChanged(String nodeId, long before, long now) {
    }

    /** One recall PUSH. */
    record Recall(long pushId, String path, long leaseId, RecallKind kind) {
    }
}
