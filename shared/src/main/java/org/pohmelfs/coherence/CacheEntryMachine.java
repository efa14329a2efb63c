package org.pohmelfs.coherence;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The cache-entry state machine. How it works: each event is dispatched on the state as in the
 * table of design.md §3.2. Transitions that end with waiters still queued call
 * {@link #resume}, which sends the ACQUIRE the waiters need; so a composite path (a write
 * queued in IS, a recall deferred until the grant) is the composition of the table's cells.
 * Outputs accumulate in a small builder that {@link #step} turns into a {@link CacheActions}.
 */
final class CacheEntryMachine implements CacheEntryState {
    private final LeaseClock clock;
    private CacheState state = CacheState.I;
    private CacheState target = CacheState.I;   // F only
    private boolean heldShared;                 // IX only
    private long deadline = Long.MIN_VALUE;
    private long leaseNanos;
    private boolean renewSent;
    private long dirtySince;                    // M, F
    private boolean readsWaiting;
    private boolean writesWaiting;
    private long writesWaitingSince;
    private RecallKind deferred;                // IS, IX without a lease: recalls answered after the grant
    private final List<Long> deferredPushes = new ArrayList<>();
    private final List<Long> flushPushes = new ArrayList<>();

    private Optional<LockMode> acquire;
    private boolean renew, downgrade, release, flush, serve, run, fail, drop;
    private List<Long> acks;

    CacheEntryMachine(LeaseClock clock) {
        this.clock = clock;
    }

    @Override
    public CacheActions step(CacheEvent event) {
        acquire = Optional.empty();
        renew = downgrade = release = flush = serve = run = fail = drop = false;
        acks = new ArrayList<>();
        switch (event) {
            case CacheEvent.Read r -> {
                expireIfDue(r.nowNanos());
                read();
            }
            case CacheEvent.Write w -> {
                expireIfDue(w.nowNanos());
                write(w.nowNanos());
            }
            case CacheEvent.GrantShared g -> grant(LockMode.SHARED, g.sentAtNanos(), g.leaseNanos(), g.nowNanos());
            case CacheEvent.GrantExclusive g -> grant(LockMode.EXCLUSIVE, g.sentAtNanos(), g.leaseNanos(), g.nowNanos());
            case CacheEvent.RecallShared r -> recall(RecallKind.TO_SHARED, r.pushId());
            case CacheEvent.RecallExclusive r -> recall(RecallKind.TO_NOTHING, r.pushId());
            case CacheEvent.Tick t -> tick(t.nowNanos());
            case CacheEvent.Expire x -> expire();
            case CacheEvent.Renewed r -> renewed(r.sentAtNanos(), r.leaseNanos());
            case CacheEvent.FlushDone d -> flushDone();
            case CacheEvent.FlushFailed f -> flushFailed();
            case CacheEvent.Evict v -> evict();
        }
        return new CacheActions(acquire, renew, downgrade, release, acks, flush, serve, run, fail, drop);
    }

    private void read() {
        switch (state) {
            case I -> {
                readsWaiting = true;
                request(LockMode.SHARED, CacheState.IS);
            }
            case IS, IX -> readsWaiting = true;
            case S, E, M, F -> serve = true;
        }
    }

    private void write(long now) {
        switch (state) {
            case I, S, IS, IX, F -> {
                if (!writesWaiting) {
                    writesWaiting = true;
                    writesWaitingSince = now;
                }
                if (state == CacheState.I || state == CacheState.S) {
                    request(LockMode.EXCLUSIVE, CacheState.IX);
                }
            }
            case E -> {
                run = true;
                dirtySince = now;
                state = CacheState.M;
            }
            case M -> run = true;
        }
    }

    private void grant(LockMode mode, long sentAt, long lease, long now) {
        switch (state) {
            case IS, IX -> {
                long granted = clock.gatewayDeadline(sentAt, lease);
                if (now >= granted) { // arrived too late to be used at all
                    release = true;
                    toInvalid(true);
                    return;
                }
                deadline = granted;
                leaseNanos = lease;
                renewSent = false;
                heldShared = false;
                state = mode == LockMode.SHARED ? CacheState.S : CacheState.E;
                if (readsWaiting) {
                    serve = true;
                    readsWaiting = false;
                }
                if (state == CacheState.E && writesWaiting) {
                    run = true;
                    writesWaiting = false;
                    dirtySince = writesWaitingSince;
                    state = CacheState.M;
                }
                if (deferred != null) {
                    RecallKind kind = deferred;
                    deferred = null;
                    List<Long> pushes = List.copyOf(deferredPushes);
                    deferredPushes.clear();
                    recallHeld(kind, pushes);
                }
                resume();
            }
            case I -> release = true; // a late grant for a request given up on
            case S, E, M, F -> {
                // no request pending: nothing to do
            }
        }
    }

    private void recall(RecallKind kind, long pushId) {
        switch (state) {
            case I -> acks.add(pushId);
            case IS -> defer(kind, pushId);
            case IX -> {
                if (!heldShared) {
                    defer(kind, pushId);
                } else if (kind == RecallKind.TO_NOTHING) {
                    // the recall is for the S lease we upgrade from: answer now, or two upgraders stall
                    heldShared = false;
                    drop = true;
                    acks.add(pushId);
                } else {
                    acks.add(pushId);
                }
            }
            case S, E, M, F -> recallHeld(kind, List.of(pushId));
        }
    }

    private void defer(RecallKind kind, long pushId) {
        deferred = deferred == null || kind.compareTo(deferred) > 0 ? kind : deferred;
        deferredPushes.add(pushId);
    }

    /** A recall of the lease held in S, E, M or F. */
    private void recallHeld(RecallKind kind, List<Long> pushes) {
        switch (state) {
            case S -> {
                acks.addAll(pushes);
                if (kind == RecallKind.TO_NOTHING) {
                    toInvalid(false);
                }
            }
            case E -> {
                acks.addAll(pushes);
                if (kind == RecallKind.TO_SHARED) {
                    downgrade = true;
                    state = CacheState.S;
                } else {
                    release = true;
                    toInvalid(false);
                }
            }
            case M -> {
                flush = true;
                state = CacheState.F;
                target = kind == RecallKind.TO_SHARED ? CacheState.S : CacheState.I;
                flushPushes.addAll(pushes);
            }
            case F -> {
                target = kind == RecallKind.TO_NOTHING ? CacheState.I
                        : target == CacheState.E ? CacheState.S : target;
                flushPushes.addAll(pushes);
            }
            case I, IS, IX -> throw new IllegalStateException("no lease held in " + state);
        }
    }

    private void tick(long now) {
        if (expireIfDue(now)) {
            return;
        }
        switch (state) {
            case S, E, M, F -> {
                if (!renewSent && now >= LeaseClock.renewalPoint(deadline, leaseNanos)) {
                    renew = true;
                    renewSent = true;
                }
                if (state == CacheState.M && now - dirtySince >= leaseNanos / 2) {
                    flush = true;
                    state = CacheState.F;
                    target = CacheState.E;
                }
            }
            case I, IS, IX -> {
                // no lease to renew
            }
        }
    }

    /** Expires the entry if it holds a lease and {@code now} is at or past the deadline. */
    private boolean expireIfDue(long now) {
        if (holdsLease() && now >= deadline) {
            expire();
            return true;
        }
        return false;
    }

    private void expire() {
        switch (state) {
            case I -> {
            }
            case S, E -> toInvalid(false);
            case IS, IX, M, F -> toInvalid(true);
        }
    }

    private void renewed(long sentAt, long lease) {
        if (holdsLease()) {
            deadline = Math.max(deadline, clock.gatewayDeadline(sentAt, lease));
            leaseNanos = lease;
            renewSent = false;
        }
    }

    private void flushDone() {
        if (state != CacheState.F) {
            return;
        }
        acks.addAll(flushPushes);
        flushPushes.clear();
        switch (target) {
            case E -> state = CacheState.E;
            case S -> {
                downgrade = true;
                state = CacheState.S;
            }
            case I -> {
                release = true;
                toInvalid(false);
            }
            case IS, IX, M, F -> throw new IllegalStateException("impossible flush target " + target);
        }
        if (state == CacheState.E && writesWaiting) {
            write(writesWaitingSince);
            writesWaiting = false;
        }
        resume();
    }

    private void flushFailed() {
        if (state == CacheState.F) {
            release = true;
            toInvalid(true);
        }
    }

    private void evict() {
        switch (state) {
            case S, E -> {
                release = true;
                toInvalid(false);
            }
            case M -> {
                flush = true;
                state = CacheState.F;
                target = CacheState.I;
            }
            case I, IS, IX, F -> {
                // nothing cached to evict, or already on its way out
            }
        }
    }

    /** After landing in S or I with writes waiting, asks for X. */
    private void resume() {
        if (writesWaiting && (state == CacheState.S || state == CacheState.I)) {
            request(LockMode.EXCLUSIVE, CacheState.IX);
        }
    }

    private void request(LockMode mode, CacheState pending) {
        heldShared = state == CacheState.S;
        acquire = Optional.of(mode);
        state = pending;
    }

    /**
     * Goes to I: drops the data and answers every push still owed. With {@code failWaiters} the
     * waiting and in-progress requests fail; without, waiters are kept for {@link #resume}.
     */
    private void toInvalid(boolean failWaiters) {
        boolean hadData = state != CacheState.I && state != CacheState.IS && (state != CacheState.IX || heldShared);
        drop |= hadData;
        if (failWaiters) {
            fail = true;
            readsWaiting = writesWaiting = false;
        }
        acks.addAll(deferredPushes);
        acks.addAll(flushPushes);
        deferredPushes.clear();
        flushPushes.clear();
        deferred = null;
        heldShared = renewSent = false;
        deadline = Long.MIN_VALUE;
        target = CacheState.I;
        state = CacheState.I;
    }

    private boolean holdsLease() {
        return switch (state) {
            case S, E, M, F -> true;
            case IX -> heldShared;
            case I, IS -> false;
        };
    }

    @Override
    public CacheState state() {
        return state;
    }

    @Override
    public CacheState flushTarget() {
        return state == CacheState.F ? target : state;
    }

    @Override
    public boolean holdsShared() {
        return state == CacheState.IX && heldShared;
    }

    @Override
    public long deadlineNanos() {
        return holdsLease() ? deadline : Long.MIN_VALUE;
    }
}
