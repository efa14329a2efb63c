package org.pohmelfs.node.coherence;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.pohmelfs.coherence.LockMode;
import org.pohmelfs.coherence.RecallKind;

/**
 * The lease driver's metrics: leases held by mode, grants, recalls sent by kind, acks, expiries,
 * and how long acquires wait (the transient locks of mutations included, tagged by kind).
 */
public final class LockMetrics {
    private final Map<LockMode, AtomicInteger> held = new EnumMap<>(LockMode.class);
    private final Counter grants;
    private final Map<RecallKind, Counter> recalls = new EnumMap<>(RecallKind.class);
    private final Counter acks;
    private final Counter refusedAcks;
    private final Counter expiries;
    private final Timer leaseWait;
    private final Timer mutationWait;
    private final java.util.concurrent.atomic.AtomicLong graceMillis = new java.util.concurrent.atomic.AtomicLong();
    private final AtomicInteger holdsHeld = new AtomicInteger();
    private final AtomicInteger holdsForwarding = new AtomicInteger();
    private final Counter holdsTaken;
    private final Map<String, Counter> holdsEnded = new java.util.HashMap<>();

    private final Map<String, Counter> authorityGraces = new java.util.HashMap<>();
    private final java.util.concurrent.atomic.AtomicLong lastAuthorityGraceMillis = new java.util.concurrent.atomic.AtomicLong();

    public LockMetrics(MeterRegistry registry) {
        for (String ended : java.util.List.of("gateways", "timeout")) {
            authorityGraces.put(ended, Counter.builder("pohmelfs.node.authority.graces").tag("ended", ended)
                    .description("authority graces (design.md §4.4) ended: every gateway applied the epoch, or L passed")
                    .register(registry));
        }
        io.micrometer.core.instrument.Gauge.builder("pohmelfs.node.authority.grace.last", lastAuthorityGraceMillis,
                        g -> g.get() / 1000.0)
                .baseUnit("seconds").description("how long the last authority grace lasted").register(registry);
        for (LockMode m : LockMode.values()) {
            AtomicInteger n = new AtomicInteger();
            held.put(m, n);
            registry.gauge("pohmelfs.node.leases.held", java.util.List.of(
                    io.micrometer.core.instrument.Tag.of("mode", m.name().toLowerCase(Locale.ROOT))), n);
        }
        grants = Counter.builder("pohmelfs.node.leases.granted").description("leases granted to ACQUIRE")
                .register(registry);
        for (RecallKind k : RecallKind.values()) {
            recalls.put(k, Counter.builder("pohmelfs.node.leases.recalls").description("recall pushes sent")
                    .tag("kind", k == RecallKind.TO_SHARED ? "recall_shared" : "recall_exclusive").register(registry));
        }
        acks = Counter.builder("pohmelfs.node.leases.acks").tag("result", "ok")
                .description("PUSH_ACKs of recalls").register(registry);
        refusedAcks = Counter.builder("pohmelfs.node.leases.acks").tag("result", "error")
                .description("PUSH_ACKs of recalls").register(registry);
        expiries = Counter.builder("pohmelfs.node.leases.expired").description("leases that ran out on the node")
                .register(registry);
        leaseWait = Timer.builder("pohmelfs.node.leases.wait").tag("kind", "acquire")
                .description("time from a lock request to its grant").publishPercentileHistogram().register(registry);
        io.micrometer.core.instrument.Gauge.builder("pohmelfs.node.leases.grace", graceMillis, g -> g.get() / 1000.0)
                .baseUnit("seconds").description("grace period applied after this start (nothing granted, no mutation)")
                .register(registry);
        registry.gauge("pohmelfs.node.holds", java.util.List.of(io.micrometer.core.instrument.Tag.of("state", "held")),
                holdsHeld);
        registry.gauge("pohmelfs.node.holds", java.util.List.of(io.micrometer.core.instrument.Tag.of("state",
                "forwarding")), holdsForwarding);
        holdsTaken = Counter.builder("pohmelfs.node.holds.taken")
                .description("committed transactions whose locks HOLD kept (design.md §4.7)").register(registry);
        for (String why : java.util.List.of("unhold", "closed", "expired")) {
            holdsEnded.put(why, Counter.builder("pohmelfs.node.holds.ended").tag("by", why)
                    .description("holds ended: by UNHOLD, or (then forwarded) by the connection's close or after L")
                    .register(registry));
        }
        mutationWait = Timer.builder("pohmelfs.node.leases.wait").tag("kind", "mutation")
                .description("time from a lock request to its grant").publishPercentileHistogram().register(registry);
    }

    /** The grace period this start applies (lease horizon, design.md §3.6). */
    void grace(long nanos) {
        graceMillis.set(TimeUnit.NANOSECONDS.toMillis(nanos));
    }

    /** An authority grace ended ("gateways" or "timeout") after {@code lengthNanos}. */
    void authorityGraceEnded(String ended, long lengthNanos) {
        lastAuthorityGraceMillis.set(TimeUnit.NANOSECONDS.toMillis(lengthNanos));
        authorityGraces.get(ended).increment();
    }

    void held(int shared, int exclusive) {
        held.get(LockMode.SHARED).set(shared);
        held.get(LockMode.EXCLUSIVE).set(exclusive);
    }

    void granted(long waitedNanos, boolean transientLock) {
        if (transientLock) {
            mutationWait.record(waitedNanos, TimeUnit.NANOSECONDS);
        } else {
            grants.increment();
            leaseWait.record(waitedNanos, TimeUnit.NANOSECONDS);
        }
    }

    void recalled(RecallKind kind) {
        recalls.get(kind).increment();
    }

    void acked(boolean ok) {
        (ok ? acks : refusedAcks).increment();
    }

    void expired(int n) {
        expiries.increment(n);
    }

    void holds(int heldNow, int forwardingNow) {
        holdsHeld.set(heldNow);
        holdsForwarding.set(forwardingNow);
    }

    void holdTaken() {
        holdsTaken.increment();
    }

    /** A hold ended {@code by} "unhold", "closed" or "expired". */
    void holdEnded(String by, int n) {
        holdsEnded.get(by).increment(n);
    }
}
