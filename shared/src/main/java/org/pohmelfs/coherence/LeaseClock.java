package org.pohmelfs.coherence;

/**
 * The gateway's lease arithmetic (design.md §3.1). Only monotonic clocks are used, and only
 * their rates are assumed to agree, within ρ.
 *
 * <p>The gateway deadline is {@code t_send + L·(1−ρ) − δ}: {@code t_send} is when the gateway
 * sent the ACQUIRE or RENEW, which is before the node's {@code t_grant}, so the gateway stops
 * serving from its cache before the node lets the lease go, even if its clock runs ρ slow.
 * L·ρ is rounded up, so the deadline is never later than the exact value.
 *
 * @param rhoPpm      ρ, the clock-rate bound, in parts per million (10 000 = 1 %)
 * @param marginNanos δ, the safety margin
 */
public record LeaseClock(long rhoPpm, long marginNanos) {
    /** ρ = 1 %, δ = 500 ms. */
    public static final LeaseClock DEFAULT = new LeaseClock(10_000, 500_000_000L);

    public LeaseClock {
        if (rhoPpm < 0 || rhoPpm >= 1_000_000 || marginNanos < 0) {
            throw new IllegalArgumentException("need 0 <= rho < 1 and a non-negative margin: " + rhoPpm + " ppm, " + marginNanos + " ns");
        }
    }

    /** {@code t_send + L·(1−ρ) − δ}. The gateway never serves from cache at or past it. */
    public long gatewayDeadline(long sentAtNanos, long leaseNanos) {
        long drift = Math.ceilDiv(Math.multiplyExact(leaseNanos, rhoPpm), 1_000_000L);
        return sentAtNanos + leaseNanos - drift - marginNanos;
    }

    /** When to send RENEW: L/3 before the deadline. */
    public static long renewalPoint(long deadlineNanos, long leaseNanos) {
        return deadlineNanos - leaseNanos / 3;
    }

    /** The node side: {@code t_grant + L}. */
    public static long nodeExpiry(long grantedAtNanos, long leaseNanos) {
        return grantedAtNanos + leaseNanos;
    }
}
