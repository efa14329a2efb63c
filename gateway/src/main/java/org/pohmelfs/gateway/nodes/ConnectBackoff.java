package org.pohmelfs.gateway.nodes;

import java.time.Duration;
import java.util.Objects;

/**
 * How long a link keeps a failed connect before it tries again: the first failure holds for
 * {@code first}, each further failure in a row for twice as long as the one before, at most
 * {@code longest}; a success starts over. While a failure is held, callers get it at once
 * instead of opening a connection (so a node that refuses this gateway's certificate sees one
 * handshake per step, not one per request).
 *
 * <p>Pure: time comes in as {@code nanoTime}-style arguments. Not thread-safe; the caller locks.
 *
 * @param <F> what a failure is remembered as
 */
final class ConnectBackoff<F> {
    private final long firstNanos;
    private final long longestNanos;
    private F failure;
    private long until;
    private long nextNanos;

    ConnectBackoff(Duration first, Duration longest) {
        if (first.isNegative() || first.isZero() || longest.compareTo(first) < 0) {
            throw new IllegalArgumentException("need 0 < first <= longest, not " + first + ", " + longest);
        }
        this.firstNanos = first.toNanos();
        this.longestNanos = longest.toNanos();
        this.nextNanos = firstNanos;
    }

    /** The failure still held at {@code now}, or null: the caller may connect. */
    F held(long now) {
        return failure != null && now - until < 0 ? failure : null;
    }

    /** A connect failed at {@code now}: holds {@code f} for the next step; returns that step. */
    Duration failed(F f, long now) {
        failure = Objects.requireNonNull(f, "failure");
        long step = nextNanos;
        until = now + step;
        nextNanos = Math.min(longestNanos, step > longestNanos / 2 ? longestNanos : step * 2);
        return Duration.ofNanos(step);
    }

    /** A connect succeeded: nothing is held, and the next failure holds for {@code first} again. */
    void succeeded() {
        failure = null;
        nextNanos = firstNanos;
    }
}
