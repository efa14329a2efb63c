package org.pohmelfs.gateway.testing.history;

import java.util.ArrayList;
import java.util.List;

/**
 * The freshness a gateway owes its readers while it may be cut off from the node: a value it
 * answers at time t must not have been overwritten before {@code t - lease - margin}. A
 * gateway that cannot renew its lease stops serving from its cache before the lease can
 * expire on the node, and the node only lets another gateway's write complete once it has
 * recalled the lease or it has expired; so a value older than that is a stale read. Pure;
 * times in nanoseconds on the test's clock.
 *
 * <p>Writes are one writer's sequence: value {@code i + 1} replaces value {@code i}. A write is
 * announced when it is sent ({@link #sending}): from then on a reader may see it, even before
 * its writer has the answer; it replaces the previous value once it completed ({@link #written}).
 */
public final class LeaseBound {
    private final long boundNanos;
    private final List<long[]> writes = new ArrayList<>(); // {value, completedNanos or Long.MAX_VALUE}

    /** @param boundNanos lease plus margin */
    public LeaseBound(long boundNanos) {
        this.boundNanos = boundNanos;
    }

    /** The write of {@code value} is about to be sent: readers may see it from now on. */
    public synchronized void sending(long value) {
        if (!writes.isEmpty() && writes.getLast()[0] + 1 != value) {
            throw new IllegalArgumentException("writes must be 0, 1, 2, ...: got " + value + " after "
                    + writes.getLast()[0]);
        }
        writes.add(new long[] {value, Long.MAX_VALUE});
    }

    /** The write of {@code value}, sent before, completed at {@code completedNanos}. */
    public synchronized void written(long value, long completedNanos) {
        if (writes.isEmpty() || writes.getLast()[0] != value) {
            throw new IllegalArgumentException("write " + value + " was not the last one sent");
        }
        writes.getLast()[1] = completedNanos;
    }

    /** The last value sent, or -1. */
    public synchronized long last() {
        return writes.isEmpty() ? -1 : writes.getLast()[0];
    }

    /** The last value whose write completed, or -1. */
    public synchronized long lastCompleted() {
        for (long[] w : writes.reversed()) {
            if (w[1] != Long.MAX_VALUE) {
                return w[0];
            }
        }
        return -1;
    }

    public synchronized int count() {
        return writes.size();
    }

    /**
     * Why {@code value}, answered at {@code answeredNanos}, is too old, or null when it is fresh
     * enough. A value never written is always wrong.
     */
    public synchronized String violation(long value, long answeredNanos) {
        if (value < 0 || value > last()) {
            return "served " + value + ", which was never sent (last write sent " + last() + ")";
        }
        if (value == last()) {
            return null;
        }
        long replaced = writes.get((int) (value - writes.getFirst()[0]) + 1)[1];
        if (replaced < answeredNanos - boundNanos) {
            return "served " + value + " " + (answeredNanos - replaced) / 1_000_000 + " ms after write " + (value + 1)
                    + " replaced it (bound " + boundNanos / 1_000_000 + " ms)";
        }
        return null;
    }
}
