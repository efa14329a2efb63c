package org.pohmelfs.coherence;

import java.util.List;

/**
 * A storage node's lock table (design.md §3.1, §3.3): shared and exclusive leases on object
 * paths, held by gateways, with object or subtree scope. Pure: no I/O, no clock, no threads.
 * Time comes in only through {@link LockEvent.Tick}; acquires, grants and renewals happen at the
 * time of the last tick.
 *
 * <p>Contract, in the etcd-raft style:
 * <ul>
 *   <li>{@link #step} applies one event. {@link #ready()} then lists the recalls to send, the
 *       grants and refusals to reply; the driver sends grants, then recalls, then calls
 *       {@link #advance()}, which forgets exactly what the last {@code ready()} returned.</li>
 *   <li>Safety: two leases of different holders that overlap (same path, or one of SUBTREE scope
 *       above the other) are never both held if either is exclusive.</li>
 *   <li>Fairness: acquires are served first come, first served among those that conflict; a
 *       queued request blocks every later conflicting one, so a queued writer is not starved
 *       by later readers. Non-conflicting requests do not wait for each other.</li>
 *   <li>A request waiting only on held leases recalls them (RECALL_SHARED for a shared request,
 *       RECALL_EXCLUSIVE for an exclusive one) and is granted once every one of them was
 *       acknowledged, released, downgraded enough, or expired. A recalled lease is not renewed,
 *       so this always ends within one lease duration.</li>
 *   <li>Leases expire at grant (or renewal) time + the lease duration.</li>
 *   <li>Grace period: nothing is granted before {@code start + lease duration}; requests queue.</li>
 *   <li>Re-acquiring what a holder already has (same or weaker mode and scope) is granted at
 *       once with the existing lease. A stronger re-acquire is an upgrade: granted at once when
 *       nothing else conflicts, otherwise queued like any request while the old lease is kept.</li>
 * </ul>
 */
public interface LockTable {

    /**
     * Whether two holder ids belong to one owner, whose leases and requests never conflict with
     * each other. A holder id is an owner id, optionally followed by {@code '#'} and a suffix:
     * the node's driver holds a connection's leases as {@code conn} and the transient locks of a
     * mutation that connection sent as {@code conn#tx…}, so a mutation never recalls the leases
     * of the connection that sent it (design.md §3.4).
     */
    static boolean sameOwner(String a, String b) {
        return owner(a).equals(owner(b));
    }

    /** The owner part of a holder id: everything before the first {@code '#'}. */
    static String owner(String holder) {
        int i = holder.indexOf('#');
        return i < 0 ? holder : holder.substring(0, i);
    }

    /** The default lease duration L: 10 s. */
    long DEFAULT_LEASE_NANOS = 10_000_000_000L;

    /** A table that started at {@code startNanos} with the default lease duration. */
    static LockTable create(long startNanos) {
        return create(startNanos, DEFAULT_LEASE_NANOS);
    }

    /** A table that started at {@code startNanos}; the grace period ends at {@code startNanos + leaseNanos}. */
    static LockTable create(long startNanos, long leaseNanos) {
        return create(startNanos, leaseNanos, leaseNanos);
    }

    /**
     * A table whose grace period ends at {@code startNanos + graceNanos} (0 ≤ grace ≤ lease
     * duration): shorter than L when the caller knows that no lease of a previous incarnation can
     * outlive it (the node's persisted lease horizon, design.md §3.6).
     */
    static LockTable create(long startNanos, long leaseNanos, long graceNanos) {
        return new DefaultLockTable(startNanos, leaseNanos, graceNanos);
    }

    /** Applies one event. Throws {@link IllegalArgumentException} for a tick that goes back in time. */
    void step(LockEvent event);

    /** What to send since the last {@link #advance()}. */
    LockReady ready();

    /** Forgets what the last {@link #ready()} returned; later output is kept. */
    void advance();

    /** The time of the last tick (the start time before any). */
    long now();

    long leaseNanos();

    /** The end of the grace period. */
    long graceEndsAtNanos();

    /** Every lease held, ordered by path, then holder (a sorted copy: for tests, shutdown and diagnostics). */
    List<Lease> leases();

    /** The leases of {@code holder} that a RENEW extends now (those not recalled), without copying them all. */
    int renewable(String holder);

    /** How many leases of the mode are held now (O(1), for metrics). */
    int held(LockMode mode);

    /** How many leases ran out at a Tick since the table started (for metrics). */
    long expiredTotal();

    /** The holder's lease on exactly this path, or null. */
    Lease lease(String holder, org.pohmelfs.protocol.ObjectPath path);

    /** Every queued request, in arrival order. */
    List<LockRequest> queue();
}
