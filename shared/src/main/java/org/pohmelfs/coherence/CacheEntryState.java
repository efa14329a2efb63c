package org.pohmelfs.coherence;

/**
 * One object's cache state on a gateway (design.md §3.2): a MESI core with explicit pending
 * and flushing states. Pure: time comes in with the events, nothing is sent or read here.
 *
 * <p>Contract:
 * <ul>
 *   <li>{@link #step} applies one event and returns what the driver must do.</li>
 *   <li>Data is served from the cache ({@link CacheActions#serveReads()}) only under a lease and
 *       strictly before the gateway deadline ({@link LeaseClock#gatewayDeadline}); a read, write
 *       or tick at or past the deadline first expires the entry.</li>
 *   <li>Every recall push is answered by exactly one PUSH_ACK: at once when that is safe, after
 *       the grant for a recall that arrives while a request is pending and no lease is held, or
 *       when the flush ends.</li>
 *   <li>A grant that arrives when no request is pending (after EXP) is released.</li>
 * </ul>
 */
public interface CacheEntryState {

    static CacheEntryState create(LeaseClock clock) {
        return new CacheEntryMachine(clock);
    }

    CacheActions step(CacheEvent event);

    CacheState state();

    /** In {@link CacheState#F}, the state the flush leads to (E, S or I); otherwise the current state. */
    CacheState flushTarget();

    /** In {@link CacheState#IX}, whether the S lease it came from (and its data) is still held. */
    boolean holdsShared();

    /** The gateway deadline of the lease held; {@code Long.MIN_VALUE} when none is held. */
    long deadlineNanos();

    /** Whether a read at {@code nowNanos} may be served from the cache right now. */
    default boolean mayServe(long nowNanos) {
        return switch (state()) {
            case S, E, M, F -> nowNanos < deadlineNanos();
            case I, IS, IX -> false;
        };
    }
}
