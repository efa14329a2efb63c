package org.pohmelfs.node.txn;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * Group commit's bookkeeping for the journal: what has been appended, what is durable, whether a
 * force is running, and which handles (the data files of committed transactions) must be forced
 * before the journal may be forced past a given point. Pure: no I/O, no locking, no clock; the
 * {@link Journal} calls it under its own monitor and does the forcing.
 *
 * <p>Positions are log sequence numbers (LSNs): the count of journal bytes appended since the
 * journal was opened, never reset (compaction rewrites the file, not the count). A record is
 * durable when {@code durable >= } the LSN at its end.
 *
 * <p>Contract of {@link #need}: a caller that wants everything up to {@code lsn} durable gets
 * {@link Done} (already durable), {@link Wait} (a running force covers it; ask again once a
 * force ends), {@link Lead} (it must force the listed handles, then the journal, then call
 * {@link #forced} with the lead's target, or {@link #failed}), or {@link Failed} (an earlier
 * force failed: the journal is no longer trusted, nothing becomes durable any more).
 *
 * <p>How: a force that is already running covers only what was appended before it started. A
 * caller beyond it does not wait for it to end but leads a second force at once (the disk
 * overlaps them): targets of running forces therefore strictly increase, and a completed force
 * makes everything up to its target durable whatever the others do. A lead lists every handle
 * owed up to its target that no completed force covers, including handles a running force is
 * forcing already (the handle runs its force once and lets the second caller wait for it).
 *
 * <p>Invariants (checked by {@link #check}): {@code 0 <= durable <= appended}; every pending
 * handle set ends after {@code durable} and in LSN order; running targets strictly increase and
 * are at most {@code appended}.
 *
 * @param <H> a handle to force before the journal (the store's open file; a string in tests)
 */
final class ForceBook<H> {

    /** What a caller that needs an LSN durable does next. */
    sealed interface Step permits Done, Wait, Lead, Failed {
    }

    /** Already durable. */
    record Done() implements Step {
    }

    /** A force is running; ask again when it ends. */
    record Wait() implements Step {
    }

    /**
     * Force {@code before} (each once), then the journal; every record up to {@code target} is
     * then durable.
     */
    record Lead<T>(long target, List<T> before) implements Step {
    }

    /** A force failed earlier; nothing becomes durable. */
    record Failed(String why) implements Step {
    }

    private record Pending<H>(long lsn, List<H> handles) {
    }

    private static final Done DONE = new Done();
    private static final Wait WAIT = new Wait();

    private final ArrayDeque<Pending<H>> pending = new ArrayDeque<>();
    private long appended;
    private long durable;
    /** Targets of the running forces, oldest (lowest) first. */
    private final ArrayDeque<Long> running = new ArrayDeque<>();
    private String failure;

    /**
     * Records an append of {@code bytes} journal bytes whose durability needs {@code before}
     * forced first (empty when it needs nothing). Returns the LSN at the end of the append.
     */
    long appended(long bytes, List<H> before) {
        if (bytes <= 0) {
            throw new IllegalArgumentException("an append has bytes: " + bytes);
        }
        appended += bytes;
        if (!before.isEmpty()) {
            pending.add(new Pending<>(appended, List.copyOf(before)));
        }
        return appended;
    }

    /** The next step of a caller that needs everything up to {@code lsn} durable. */
    Step need(long lsn) {
        if (lsn > appended) {
            throw new IllegalArgumentException("LSN " + lsn + " was never appended (appended " + appended + ")");
        }
        if (failure != null) {
            return new Failed(failure);
        }
        if (lsn <= durable) {
            return DONE;
        }
        if (!running.isEmpty() && running.peekLast() >= lsn) {
            return WAIT;
        }
        running.addLast(appended);
        List<H> before = new ArrayList<>();
        for (Pending<H> p : pending) {
            before.addAll(p.handles());
        }
        return new Lead<>(appended, before);
    }

    /** The leader forced its handles and the journal up to {@code target}. */
    void forced(long target) {
        if (!running.remove(target)) {
            throw new IllegalStateException("no force to " + target + " is running (running: " + running + ")");
        }
        durable = Math.max(durable, target);
        while (!pending.isEmpty() && pending.peekFirst().lsn() <= durable) {
            pending.removeFirst();
        }
    }

    /** The force to {@code target} failed: every later {@link #need} of a non-durable LSN is {@link Failed}. */
    void failed(long target, String why) {
        running.remove(target);
        failure = why;
    }

    /** The LSN at the end of the last append. */
    long appendedLsn() {
        return appended;
    }

    /** Everything up to this LSN is durable. */
    long durableLsn() {
        return durable;
    }

    /** Whether records were appended that are not durable yet. */
    boolean unforced() {
        return appended > durable;
    }

    /** Whether a force is running. */
    boolean forcing() {
        return !running.isEmpty();
    }

    /** Throws if an invariant does not hold (tests). */
    void check() {
        if (durable < 0 || durable > appended) {
            throw new IllegalStateException("durable " + durable + " outside 0.." + appended);
        }
        long previous = 0;
        for (long t : running) {
            if (t <= previous || t > appended) {
                throw new IllegalStateException("running force targets " + running + " not increasing up to " + appended);
            }
            previous = t;
        }
        long last = durable;
        for (Pending<H> p : pending) {
            if (p.lsn() <= last || p.lsn() > appended) {
                throw new IllegalStateException("pending handles at " + p.lsn() + " out of order or durable");
            }
            last = p.lsn();
        }
    }
}
