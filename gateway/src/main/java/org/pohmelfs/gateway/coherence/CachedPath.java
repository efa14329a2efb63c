package org.pohmelfs.gateway.coherence;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * What the gateway keeps for one path under one shared lease (design.md §3.5): the lease's
 * identity and gateway-side deadline, and the metadata read under it. Immutable, except for
 * the time of last use, which only decides idle release. Pure: time comes in as arguments.
 *
 * <p>Contract: {@link #get} returns a value only strictly before the deadline, so nothing is
 * served from a lease the node may already have let go (§3.1).
 *
 * @param generation    the lease connection it was granted on (a new connection starts afresh)
 * @param grant         a number unique to this grant on this gateway: a value read under an
 *                      earlier grant of the same path is never stored under a later one
 * @param leaseId       the node's lease id
 * @param deadlineNanos the gateway deadline ({@code LeaseClock.gatewayDeadline})
 */
public final class CachedPath {
    private final long generation;
    private final long grant;
    private final long leaseId;
    private final long deadlineNanos;
    private final Map<Slot<?>, Object> values;
    private volatile long usedAtNanos;

    private CachedPath(long generation, long grant, long leaseId, long deadlineNanos, Map<Slot<?>, Object> values,
                       long usedAtNanos) {
        this.generation = generation;
        this.grant = grant;
        this.leaseId = leaseId;
        this.deadlineNanos = deadlineNanos;
        this.values = Map.copyOf(values);
        this.usedAtNanos = usedAtNanos;
    }

    /** A fresh grant, holding nothing yet, used at {@code nowNanos}. */
    public static CachedPath granted(long generation, long grant, long leaseId, long deadlineNanos, long nowNanos) {
        return new CachedPath(generation, grant, leaseId, deadlineNanos, Map.of(), nowNanos);
    }

    public long generation() {
        return generation;
    }

    public long grant() {
        return grant;
    }

    public long leaseId() {
        return leaseId;
    }

    public long deadlineNanos() {
        return deadlineNanos;
    }

    public long usedAtNanos() {
        return usedAtNanos;
    }

    /** Whether anything may be served from this entry at {@code nowNanos}: strictly before the deadline. */
    public boolean valid(long nowNanos) {
        return nowNanos - deadlineNanos < 0;
    }

    /** The value of {@code slot} if it is held and the lease is still valid at {@code nowNanos}; marks the entry used. */
    public <T> Optional<T> get(Slot<T> slot, long nowNanos) {
        if (!valid(nowNanos)) {
            return Optional.empty();
        }
        Object v = values.get(slot);
        if (v == null) {
            return Optional.empty();
        }
        usedAtNanos = nowNanos;
        @SuppressWarnings("unchecked") T t = (T) v;
        return Optional.of(t);
    }

    /** This entry with {@code slot} set to {@code value}. */
    public <T> CachedPath with(Slot<T> slot, T value) {
        Map<Slot<?>, Object> m = new HashMap<>(values);
        m.put(slot, value);
        return new CachedPath(generation, grant, leaseId, deadlineNanos, m, usedAtNanos);
    }

    /**
     * After a RENEW of the connection succeeded: the deadline moves to {@code deadline} if that
     * is later (a grant newer than the RENEW already has a later one), but only if this entry was
     * still valid when the reply arrived ({@code repliedAtNanos}). Why that is enough: the node's
     * expiry of the lease is later than this entry's deadline (§3.1), so a lease valid here when
     * the reply arrived was alive on the node when the RENEW got there, and was renewed, unless a
     * recall of it was outstanding; a recall sent before the reply is handled before the reply
     * on the same connection, and drops the entry. An entry past its deadline may have run out on
     * the node: it is not extended.
     */
    public CachedPath renewed(long repliedAtNanos, long deadline) {
        if (!valid(repliedAtNanos) || deadline - deadlineNanos <= 0) {
            return this;
        }
        return new CachedPath(generation, grant, leaseId, deadline, values, usedAtNanos);
    }

    /** Whether the lease should be given back at {@code nowNanos}: unused for {@code idleNanos}, or past its deadline. */
    public boolean releasable(long nowNanos, long idleNanos) {
        return !valid(nowNanos) || nowNanos - usedAtNanos >= idleNanos;
    }

    /** Whether this is the same grant as {@code other} (same connection, same acquire). */
    public boolean sameGrant(CachedPath other) {
        return other != null && other.generation == generation && other.grant == grant;
    }

    /** An estimate of the memory this entry takes, in bytes. */
    public int weight() {
        long w = 96;
        for (var e : values.entrySet()) {
            w += e.getKey().weigh(e.getValue());
        }
        return (int) Math.min(Integer.MAX_VALUE, w);
    }

    @Override
    public String toString() {
        return "CachedPath[gen=" + generation + ", grant=" + grant + ", lease=" + leaseId + ", deadline="
                + deadlineNanos + ", slots=" + values.keySet() + "]";
    }
}
