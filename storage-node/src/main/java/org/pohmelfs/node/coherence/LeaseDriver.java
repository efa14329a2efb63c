package org.pohmelfs.node.coherence;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.pohmelfs.coherence.Lease;
import org.pohmelfs.coherence.LockEvent;
import org.pohmelfs.coherence.LockMode;
import org.pohmelfs.coherence.LockReady;
import org.pohmelfs.coherence.LockScope;
import org.pohmelfs.coherence.LockTable;
import org.pohmelfs.coherence.LockTableInvariants;
import org.pohmelfs.coherence.RecallKind;
import org.pohmelfs.protocol.ErrorCode;
import org.pohmelfs.protocol.Message;
import org.pohmelfs.protocol.ObjectPath;
import org.pohmelfs.protocol.Opcodes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's lease driver: owns the node's one {@link LockTable} and steps it on one thread.
 *
 * <p>Contract: every public method is thread-safe and returns at once; answers come as futures.
 * A connection registers with {@link #connect} and gets a {@link Holder}: its leases, renewals
 * and recalls are per connection (design.md §3.4). Grants are handed out before the recalls of
 * the same batch, and on one connection a recall leaves only after the reply of every grant
 * decided before it was written ({@link Granted#sent()}), so a recall never overtakes the grant
 * of the lease it names. The table starts with a grace period of one lease duration, or, with a
 * {@link LeaseHorizon}, only until the horizon the previous incarnation left (none on a fresh export).
 *
 * <p>How it works: a single-thread scheduled executor runs every step and a Tick every
 * {@code L/20} (5 ms … 250 ms), and once more just before each acquire or renewal: the table
 * dates grants and renewals at its last tick, and the client's deadline assumes the node's
 * {@code t_grant} is not earlier than its {@code t_send}. After each step {@link #process()} reads {@code ready()},
 * completes waiters, queues recalls on the holders' outboxes, then calls {@code advance()}.
 * Each holder has an outbox: a chain of futures run in order, so the session's asynchronous
 * work for a grant (a STAT, then the REPLY write) finishes before a later recall is written.
 */
public final class LeaseDriver implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(LeaseDriver.class);

    /**
     * Forwards a held write whose hold ended without UNHOLD (its connection closed, or L passed)
     * to the other replicas, and calls {@code done} when it is through (whatever the outcome):
     * the write's locks are released then, not before. Called off the driver thread; must not block.
     */
    public interface Forwarder {
        void forward(HeldWrite write, Runnable done);
    }

    /**
     * The transient locks of one mutation, as {@link Holder#lockForMutation} grants them;
     * {@link #run} releases them (once). A mutation that needed none gets a handle without locks.
     */
    public final class MutationLock implements Runnable {
        private final String tid; // null: no lock was taken
        private final List<MutationLocks.Need> needs;
        private final java.util.concurrent.atomic.AtomicBoolean released = new java.util.concurrent.atomic.AtomicBoolean();

        private MutationLock(String tid, List<MutationLocks.Need> needs) {
            this.tid = tid;
            this.needs = needs;
        }

        @Override
        public void run() {
            if (tid != null && released.compareAndSet(false, true)) {
                LeaseDriver.this.run(() -> needs.forEach(n -> step(new LockEvent.Release(tid, n.path()))));
            }
        }

        /** Driver thread: the locks run for another L from now, recalled or not. */
        private void extend() {
            if (tid != null && !released.get()) {
                needs.forEach(n -> table.step(new LockEvent.Extend(tid, n.path())));
                process();
            }
        }

        @Override
        public String toString() {
            return tid == null ? "no locks" : tid + " " + needs;
        }
    }

    private record HeldLocks(MutationLock lock, HeldWrite write) {
    }

    /** A granted lease, as the session answers ACQUIRE. Complete {@code sent} once the REPLY was written (or dropped). */
    public record Granted(long leaseId, LockMode mode, LockScope scope, long remainingNanos,
                          CompletableFuture<Void> sent) {
    }

    private final ScheduledExecutorService thread;
    private final LockTable table;
    private final LockMetrics metrics;
    private final LongSupplier clock;
    private final boolean checkInvariants;
    private final LeaseHorizon horizon; // null: none kept, full grace at every start
    private final AtomicLong connections = new AtomicLong();
    private volatile Throwable failure;

    // Driver thread only.
    private final Map<String, Holder> holders = new HashMap<>();
    private final Map<Long, Waiter> waiters = new HashMap<>();
    private long nextRequestId = 1;
    private long nextTransient = 1;
    private long expiredReported;
    private final HoldBook<HeldLocks> holds;
    /** When the start grace (lease horizon) ends; an authority grace never shortens it. */
    private final long startGraceEnds;
    private AuthorityGrace authorityGrace; // null: this node follows no map
    /** Whether this node is the lock authority in the map it follows (true without a map); set on the driver thread. */
    private volatile boolean authority = true;
    private volatile boolean inAuthorityGrace;
    private volatile Forwarder forwarder = (write, done) -> {
        log.warn("hold of transaction {} of {} ended without UNHOLD and this node has nothing to forward it to "
                + "(no cluster map): its locks are released", write.request().txid(), write.peerId());
        done.run();
    };

    private record Waiter(Holder holder, long startNanos, CompletableFuture<Granted> lease, Group group) {
    }

    /** The transient locks of one mutation: done when every one is granted. */
    private static final class Group {
        int missing;
        final CompletableFuture<Void> done = new CompletableFuture<>();
    }

    /**
     * @param leaseDuration   L: how long a grant or renewal lasts on the node, and the grace period
     * @param checkInvariants run {@link LockTableInvariants#check} after every step (tests)
     */
    public LeaseDriver(Duration leaseDuration, LockMetrics metrics, boolean checkInvariants) {
        this(leaseDuration, metrics, checkInvariants, System::nanoTime);
    }

    LeaseDriver(Duration leaseDuration, LockMetrics metrics, boolean checkInvariants, LongSupplier clock) {
        this(leaseDuration, metrics, checkInvariants, clock, null);
    }

    /**
     * A driver that keeps the lease horizon: its grace period after start is the horizon's
     * ({@link LeaseHorizon#grace()}, at most L), and every grant or renewal is sent only once the
     * horizon covers it.
     */
    public LeaseDriver(Duration leaseDuration, LockMetrics metrics, boolean checkInvariants, LeaseHorizon horizon) {
        this(leaseDuration, metrics, checkInvariants, System::nanoTime, horizon);
    }

    LeaseDriver(Duration leaseDuration, LockMetrics metrics, boolean checkInvariants, LongSupplier clock,
                LeaseHorizon horizon) {
        this.metrics = metrics;
        this.clock = clock;
        this.checkInvariants = checkInvariants;
        this.horizon = horizon;
        long grace = horizon == null ? leaseDuration.toNanos() : Math.min(horizon.grace().toNanos(), leaseDuration.toNanos());
        this.table = LockTable.create(clock.getAsLong(), leaseDuration.toNanos(), grace);
        this.holds = new HoldBook<>(leaseDuration.toNanos());
        this.startGraceEnds = table.graceEndsAtNanos();
        metrics.grace(grace);
        this.thread = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "pohmelfs-leases");
            t.setDaemon(true);
            return t;
        });
        long period = Math.clamp(leaseDuration.toMillis() / 20, 5, 250);
        thread.scheduleWithFixedDelay(this::tick, period, period, TimeUnit.MILLISECONDS);
    }

    public long leaseNanos() {
        return table.leaseNanos();
    }

    /**
     * Who forwards held writes whose hold ended without UNHOLD (design.md §4.7). Until one is set
     * (a node without a cluster map), such a hold's locks are released at once, with a warning.
     */
    public void forwardWith(Forwarder f) {
        this.forwarder = f;
    }

    // ------------------------------------------------------------------ the authority grace (design.md §4.4)

    /**
     * This node, {@code nodeId}, follows a cluster map: from now on it serves leases only while
     * the map it follows names it the lock authority, and keeps an authority grace
     * ({@link AuthorityGrace}) when it becomes the authority. Call before the first
     * {@link #mapFollowed}; without it the node serves leases as the only authority there is.
     */
    public void follow(String nodeId) {
        run(() -> {
            if (authorityGrace == null) {
                authorityGrace = new AuthorityGrace(nodeId, table.leaseNanos());
            }
        });
    }

    /** The node follows the map of {@code epoch}, whose lock authority is {@code authorityId} (any thread). */
    public void mapFollowed(long epoch, String authorityId) {
        run(() -> {
            if (authorityGrace != null) {
                tick();
                boolean was = authorityGrace.active();
                java.util.Optional<AuthorityGrace.Ended> ended = authorityGrace.map(epoch, authorityId, table.now());
                authority = authorityGrace.authority();
                if (!was && authorityGrace.active()) {
                    log.info("lock authority at epoch {}: granting nothing and applying no mutation until every gateway "
                            + "applied it or {} ms passed", epoch, TimeUnit.NANOSECONDS.toMillis(table.leaseNanos()));
                } else if (was && !authorityGrace.active() && ended.isEmpty()) {
                    log.info("no longer the lock authority at epoch {}: authority grace dropped", epoch);
                }
                graceChanged(ended);
            }
        });
    }

    /** The gateways' entries now: gateway id to the epoch whose map it has applied (any thread). */
    public void gatewaysApplied(java.util.Map<String, Long> applied) {
        java.util.Map<String, Long> copy = java.util.Map.copyOf(applied);
        run(() -> {
            if (authorityGrace != null) {
                tick();
                graceChanged(authorityGrace.gateways(copy, table.now()));
            }
        });
    }

    /** Whether this node is the lock authority in the map it follows (true for a node without a map). */
    public boolean authority() {
        return authority;
    }

    /** Whether an authority grace runs now (nothing granted, no mutation applied). */
    public boolean inAuthorityGrace() {
        return inAuthorityGrace;
    }

    /** Driver thread: counts an ended grace and moves the table's grace to what runs now. */
    private void graceChanged(java.util.Optional<AuthorityGrace.Ended> ended) {
        ended.ifPresent(e -> {
            metrics.authorityGraceEnded(e.how() == AuthorityGrace.End.GATEWAYS ? "gateways" : "timeout", e.lengthNanos());
            log.info("authority grace of epoch {} ended by {} after {} ms", e.epoch(),
                    e.how().name().toLowerCase(java.util.Locale.ROOT), TimeUnit.NANOSECONDS.toMillis(e.lengthNanos()));
            if (e.how() == AuthorityGrace.End.TIMEOUT) {
                log.warn("gateways that had not applied epoch {} (or had no entry read yet): {}", e.epoch(), e.lagging());
            }
        });
        boolean active = authorityGrace.active();
        inAuthorityGrace = active;
        long until = Math.max(startGraceEnds, active ? authorityGrace.endsAtNanos() : table.now());
        if (until != table.graceEndsAtNanos()) {
            step(new LockEvent.Grace(until));
        }
    }

    /**
     * Driver thread: why this node refuses lease requests now, or null when it serves them. A
     * node that follows a map naming another authority answers STALE_EPOCH; BUSY when the request
     * comes from a later epoch than the map it follows (it may be the authority there: ask again).
     */
    private LeaseRefused notAuthority(String what, long requestEpoch) {
        if (authorityGrace == null || authorityGrace.authority()) {
            return null;
        }
        long followed = authorityGrace.mapEpoch();
        return requestEpoch > followed
                ? new LeaseRefused(ErrorCode.BUSY, what + ": this node has not seen epoch " + requestEpoch + " yet")
                : new LeaseRefused(ErrorCode.STALE_EPOCH, what + ": this node is not the lock authority at epoch "
                        + followed);
    }

    /** Holds now, HELD and FORWARDING, for tests and diagnostics. */
    public CompletableFuture<List<HoldBook.Entry<HeldWrite>>> holds() {
        CompletableFuture<List<HoldBook.Entry<HeldWrite>>> f = new CompletableFuture<>();
        run(() -> f.complete(holds.entries().stream().map(e -> new HoldBook.Entry<>(e.key(), e.payload().write(),
                e.state(), e.deadlineNanos())).toList()));
        return f;
    }

    /** Registers a connection. {@code pushes} writes a PUSH to it; it is called off the event loop. */
    public Holder connect(String peerId, Consumer<Message.Push> pushes) {
        String id = "c" + connections.incrementAndGet() + "/" + peerId.replace('#', '_');
        Holder h = new Holder(id, pushes);
        run(() -> holders.put(id, h));
        return h;
    }

    /** The first failure of a step (an invariant violation when checking), or null. */
    public Throwable failure() {
        return failure;
    }

    /** How many lock requests (ACQUIREs and mutations' transient locks) wait in the table now, for tests and diagnostics. */
    public CompletableFuture<Integer> queued() {
        CompletableFuture<Integer> f = new CompletableFuture<>();
        run(() -> f.complete(table.queue().size()));
        return f;
    }

    /** Every lease held now, for tests and diagnostics. */
    public CompletableFuture<List<Lease>> leases() {
        CompletableFuture<List<Lease>> f = new CompletableFuture<>();
        run(() -> f.complete(table.leases()));
        return f;
    }

    /** One connection's view: its leases, recalls and the transient locks of its mutations. */
    public final class Holder {
        private final String id;
        private final Consumer<Message.Push> pushes;
        private CompletableFuture<Void> outbox = CompletableFuture.completedFuture(null); // driver thread only

        private Holder(String id, Consumer<Message.Push> pushes) {
            this.id = id;
            this.pushes = pushes;
        }

        public String id() {
            return id;
        }

        /** ACQUIRE. Completes with the grant, or fails with {@link LeaseRefused}. */
        public CompletableFuture<Granted> acquire(ObjectPath path, LockMode mode, LockScope scope) {
            return acquire(path, mode, scope, 0);
        }

        /**
         * ACQUIRE sent at {@code requestEpoch} (0: unfenced). Fails with {@link LeaseRefused}:
         * STALE_EPOCH (or BUSY) when this node is not the authority in the map it follows.
         */
        public CompletableFuture<Granted> acquire(ObjectPath path, LockMode mode, LockScope scope, long requestEpoch) {
            CompletableFuture<Granted> f = new CompletableFuture<>();
            long start = clock.getAsLong();
            run(() -> {
                LeaseRefused refused = notAuthority("ACQUIRE " + path, requestEpoch);
                if (refused != null) {
                    f.completeExceptionally(refused);
                    return;
                }
                long requestId = nextRequestId++;
                waiters.put(requestId, new Waiter(this, start, f, null));
                tick(); // the table dates a grant at its last tick: make that no earlier than the request
                step(new LockEvent.Acquire(id, path, mode, scope, requestId));
            });
            return f;
        }

        public void release(ObjectPath path) {
            run(() -> step(new LockEvent.Release(id, path)));
        }

        public void downgrade(ObjectPath path) {
            run(() -> step(new LockEvent.Downgrade(id, path)));
        }

        /** RENEW: completes with how many leases were renewed. */
        public CompletableFuture<Integer> renew() {
            return renew(0);
        }

        /**
         * RENEW sent at {@code requestEpoch}. A node that is not the authority in the map it
         * follows renews nothing and fails it with {@link LeaseRefused} STALE_EPOCH (BUSY for a
         * later epoch than its map's): its leases then run out (design.md §4.4).
         */
        public CompletableFuture<Integer> renew(long requestEpoch) {
            CompletableFuture<Integer> f = new CompletableFuture<>();
            run(() -> {
                LeaseRefused refused = notAuthority("RENEW", requestEpoch);
                if (refused != null) {
                    f.completeExceptionally(refused);
                    return;
                }
                tick(); // date the renewal no earlier than the request, as the client's t_send assumes
                int n = table.renewable(id);
                step(new LockEvent.Renew(id));
                if (horizon != null && n > 0) {
                    horizon.ensure(); // before RENEWED leaves: a renewal extends leases to now + L
                }
                // Through the outbox, behind every grant and recall already decided for this
                // holder: the gateway extends every entry it holds when RENEWED arrives, so a
                // recall decided before this renewal (whose lease it did not renew) must reach it
                // first. Sent directly, RENEWED could overtake a recall queued behind a grant that
                // was still waiting for its reply to leave; the gateway then kept serving the
                // recalled entry after the node let the lease run out and applied the write.
                enqueue(() -> {
                    f.complete(n);
                    return CompletableFuture.completedFuture(null);
                });
            });
            return f;
        }

        /** PUSH_ACK: OK answers the recall; an ERROR leaves the lease to run out. */
        public void ack(long pushId, boolean ok) {
            metrics.acked(ok);
            if (ok) {
                run(() -> step(new LockEvent.Ack(pushId)));
            }
        }

        /** The connection is lost: queued requests are refused; leases stay until they expire. */
        public void gone() {
            run(() -> {
                holders.remove(id);
                step(new LockEvent.HolderGone(id));
                List<HoldBook.Entry<HeldLocks>> closed = holds.closed(id, table.now());
                if (!closed.isEmpty()) {
                    metrics.holdEnded("closed", closed.size());
                    forward(closed);
                }
            });
        }

        /**
         * HOLD (design.md §4.7): the mutation {@code write} committed under {@code lock}; its locks
         * stay, extended to L from now, until {@link #unhold} of its txid, this connection's loss or
         * L, whichever comes first (then the write is forwarded before they go).
         */
        public void hold(MutationLock lock, HeldWrite write) {
            run(() -> {
                tick();
                if (!holds.hold(new HoldBook.Key(id, write.request().txid()), new HeldLocks(lock, write), table.now())) {
                    lock.run();
                    return;
                }
                lock.extend();
                metrics.holdTaken();
                reportHolds();
            });
        }

        /** UNHOLD: releases what HOLD kept for {@code txid} on this connection, if anything. */
        public CompletableFuture<Void> unhold(long txid) {
            CompletableFuture<Void> f = new CompletableFuture<>();
            run(() -> {
                holds.unhold(new HoldBook.Key(id, txid)).ifPresent(e -> {
                    e.payload().lock().run();
                    metrics.holdEnded("unhold", 1);
                });
                reportHolds();
                f.complete(null);
            });
            return f;
        }

        /**
         * Takes transient locks for a mutation this connection sent, under the holder id
         * {@code id#m<n>}: they recall every other connection's conflicting leases and never this
         * connection's own. Completes, with a handle that releases them, once all are granted.
         */
        public CompletableFuture<MutationLock> lockForMutation(List<MutationLocks.Need> all) {
            CompletableFuture<MutationLock> f = new CompletableFuture<>();
            if (all.isEmpty()) {
                f.complete(new MutationLock(null, List.of()));
                return f;
            }
            long start = clock.getAsLong();
            run(() -> {
                tick();
                // What this connection's own leases already cover needs no lock. This is not only
                // cheaper: a holder flushing dirty data to answer a recall must not queue behind the
                // very request that recalled it (it would wait for its own lease to run out).
                List<MutationLocks.Need> needs = all.stream().filter(n -> {
                    Lease own = table.lease(id, n.path());
                    return own == null || !own.covers(n.mode(), n.scope());
                }).toList();
                if (needs.isEmpty()) {
                    f.complete(new MutationLock(null, List.of()));
                    return;
                }
                String tid = id + "#m" + nextTransient++;
                Group g = new Group();
                g.missing = needs.size();
                MutationLock release = new MutationLock(tid, needs);
                g.done.whenComplete((v, e) -> {
                    if (e == null) {
                        f.complete(release);
                    } else {
                        release.run();
                        f.completeExceptionally(e);
                    }
                });
                for (MutationLocks.Need n : needs) {
                    long requestId = nextRequestId++;
                    waiters.put(requestId, new Waiter(this, start, null, g));
                    table.step(new LockEvent.Acquire(tid, n.path(), n.mode(), n.scope(), requestId));
                }
                process();
            });
            return f;
        }

        /** Runs after every item queued before it (driver thread). */
        private void enqueue(Supplier<CompletableFuture<Void>> item) {
            outbox = outbox.handle((v, e) -> null).thenCompose(v -> {
                try {
                    return item.get();
                } catch (RuntimeException e) {
                    log.warn("lease outbox of {} failed", id, e);
                    return CompletableFuture.completedFuture(null);
                }
            });
        }
    }

    private void tick() {
        long now = Math.max(clock.getAsLong(), table.now());
        // Holds first: a hold due now extends its locks before the table would let them expire.
        HoldBook.Due<HeldLocks> due = holds.tick(now);
        if (!due.isEmpty()) {
            due.extend().forEach(e -> e.payload().lock().extend());
            if (!due.forward().isEmpty()) {
                metrics.holdEnded("expired", due.forward().size());
                forward(due.forward());
            }
        }
        if (authorityGrace != null && authorityGrace.active()) {
            java.util.Optional<AuthorityGrace.Ended> ended = authorityGrace.tick(now);
            if (ended.isPresent()) {
                step(new LockEvent.Tick(now));
                graceChanged(ended);
                return;
            }
        }
        step(new LockEvent.Tick(now));
    }

    /** Driver thread: extends the locks of holds that end without UNHOLD and hands them to the forwarder. */
    private void forward(List<HoldBook.Entry<HeldLocks>> ended) {
        Forwarder f = forwarder;
        for (HoldBook.Entry<HeldLocks> e : ended) {
            e.payload().lock().extend();
            Runnable done = () -> run(() -> {
                holds.forwarded(e.key()).ifPresent(x -> x.payload().lock().run());
                reportHolds();
            });
            try {
                f.forward(e.payload().write(), done);
            } catch (RuntimeException x) {
                log.error("forwarding held transaction {} failed", e.key(), x);
                done.run();
            }
        }
        reportHolds();
    }

    private void reportHolds() {
        metrics.holds(holds.count(HoldBook.State.HELD), holds.count(HoldBook.State.FORWARDING));
    }

    private void step(LockEvent e) {
        table.step(e);
        process();
    }

    /** Sends what the table decided: grants first, then recalls, then refusals. */
    private void process() {
        if (checkInvariants) {
            LockTableInvariants.check(table);
        }
        LockReady ready = table.ready();
        long now = clock.getAsLong();
        if (horizon != null && ready.grants().stream().anyMatch(g -> {
            Waiter w = waiters.get(g.requestId());
            return w != null && w.group() == null;
        })) {
            horizon.ensure(); // before any grant to a connection leaves; transient locks die with the process
        }
        for (LockReady.Grant g : ready.grants()) {
            Waiter w = waiters.remove(g.requestId());
            if (w == null) {
                continue;
            }
            metrics.granted(now - w.startNanos(), w.group() != null);
            if (w.group() != null) {
                if (--w.group().missing == 0) {
                    w.group().done.complete(null);
                }
                continue;
            }
            Granted granted = new Granted(g.leaseId(), g.mode(), g.scope(), Math.max(0, g.expiresAtNanos() - table.now()),
                    new CompletableFuture<>());
            w.holder().enqueue(() -> {
                w.lease().complete(granted);
                return granted.sent();
            });
        }
        for (LockReady.Recall r : ready.recalls()) {
            Holder h = holders.get(r.holder());
            if (h == null) {
                continue; // a transient lock (released when its mutation ends) or a lost connection
            }
            metrics.recalled(r.kind());
            Message.Push push = new Message.Push(r.pushId(), r.kind() == RecallKind.TO_SHARED
                    ? Opcodes.PUSH_RECALL_SHARED : Opcodes.PUSH_RECALL_EXCLUSIVE, r.path().toString(),
                    Long.toString(r.leaseId()));
            h.enqueue(() -> {
                h.pushes.accept(push);
                return CompletableFuture.completedFuture(null);
            });
        }
        for (LockReady.Refusal r : ready.refusals()) {
            Waiter w = waiters.remove(r.requestId());
            if (w == null) {
                continue;
            }
            ErrorCode code = r.reason() == LockReady.Reason.ALREADY_PENDING ? ErrorCode.ALREADY_PENDING
                    : ErrorCode.HOLDER_GONE;
            LeaseRefused refused = new LeaseRefused(code, "lease on " + r.path() + " refused: " + r.reason());
            if (w.group() != null) {
                w.group().done.completeExceptionally(refused);
            } else {
                w.lease().completeExceptionally(refused);
            }
        }
        table.advance();
        long expired = table.expiredTotal();
        if (expired > expiredReported) {
            metrics.expired((int) (expired - expiredReported));
            expiredReported = expired;
        }
        metrics.held(table.held(LockMode.SHARED), table.held(LockMode.EXCLUSIVE));
    }

    private void run(Runnable task) {
        try {
            thread.execute(() -> {
                try {
                    task.run();
                } catch (RuntimeException | Error e) {
                    if (failure == null) {
                        failure = e;
                    }
                    log.error("lease driver step failed", e);
                }
            });
        } catch (RejectedExecutionException e) {
            log.debug("lease driver is closed");
        }
    }

    @Override
    public void close() {
        thread.shutdownNow();
        try {
            thread.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (horizon != null && thread.isTerminated()) {
            // The driver thread is gone: nothing more is granted or renewed, the table is ours.
            long now = clock.getAsLong();
            long remaining = 0;
            for (Lease l : table.leases()) {
                if (!l.holder().contains("#")) { // a connection's lease (lost ones too), not a transient lock
                    remaining = Math.max(remaining, l.expiresAtNanos() - now);
                }
            }
            horizon.stopped(remaining > 0 ? TimeUnit.NANOSECONDS.toMillis(remaining) + 1 : 0);
        }
        LeaseRefused closed = new LeaseRefused(ErrorCode.BUSY, "the node is shutting down");
        for (Waiter w : new ArrayList<>(waiters.values())) {
            if (w.lease() != null) {
                w.lease().completeExceptionally(closed);
            } else {
                w.group().done.completeExceptionally(closed);
            }
        }
    }
}
