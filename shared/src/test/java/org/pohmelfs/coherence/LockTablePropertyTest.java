package org.pohmelfs.coherence;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.pohmelfs.protocol.ObjectPath;

/**
 * Random interleavings of three gateways over a handful of related paths, checked step by step
 * against a reference model (a map of leases and a map of pending requests, kept from the
 * inputs and the table's outputs alone, with its own conflict rule), the invariant checker,
 * and, at the end, liveness: once holders ack or their leases expire, every request is answered.
 */
class LockTablePropertyTest {
    private static final long SEC = 1_000_000_000L;
    private static final long L = 10 * SEC;
    private static final String[] HOLDERS = {"g1", "g2", "g3"};
    private static final ObjectPath[] PATHS = {ObjectPath.parse("/"), ObjectPath.parse("/a"),
            ObjectPath.parse("/a/b"), ObjectPath.parse("/a/c"), ObjectPath.parse("/d")};
    private static final long[] TICKS = {0, SEC / 2, 3 * SEC, 6 * SEC, 11 * SEC};

    record Op(int kind, int holder, int path, int mode, int scope, int pick) {
    }

    @Provide
    Arbitrary<List<Op>> ops() {
        return Combinators.combine(Arbitraries.integers().between(0, 13), Arbitraries.integers().between(0, 2),
                        Arbitraries.integers().between(0, PATHS.length - 1), Arbitraries.integers().between(0, 4),
                        Arbitraries.integers().between(0, 4), Arbitraries.integers().between(0, 1000))
                .as(Op::new).list().ofMinSize(1).ofMaxSize(80);
    }

    @Property(tries = 400)
    void matchesTheModelKeepsTheInvariantsAndAnswersEveryRequest(@ForAll("ops") List<Op> ops) {
        Sim sim = new Sim();
        sim.step(new LockEvent.Tick(L)); // past the grace period for most runs
        for (Op op : ops) {
            sim.apply(op);
        }
        sim.drain();
    }

    @Property(tries = 100)
    void duringTheGracePeriodNothingIsGranted(@ForAll("ops") List<Op> ops) {
        Sim sim = new Sim();
        for (Op op : ops) {
            if (op.kind() >= 12) {
                continue; // no ticks: stay in the grace period
            }
            sim.apply(op);
            assertThat(sim.grantsSeen).isZero();
        }
        sim.drain();
    }

    /** The table, a model built from its inputs and outputs, and simulated gateways. */
    static final class Sim {
        final LockTable table = LockTable.create(0, L);
        final Map<String, Lease> model = new HashMap<>();           // holder + " " + path
        final Map<Long, LockRequest> pending = new LinkedHashMap<>(); // effective requests, arrival order
        final Map<Long, LockReady.Recall> sent = new LinkedHashMap<>(); // recalls not yet acked
        final Set<String> down = new HashSet<>();
        long nextRequest = 1;
        int grantsSeen;

        void apply(Op op) {
            String h = HOLDERS[op.holder()];
            ObjectPath p = PATHS[op.path()];
            switch (op.kind()) {
                case 0, 1, 2, 3 -> {
                    down.remove(h); // a gateway that acquires is connected
                    LockMode m = op.mode() <= 1 ? LockMode.SHARED : op.mode() == 2 ? LockMode.INTENT : LockMode.EXCLUSIVE;
                    LockScope s = op.scope() == 0 ? LockScope.SUBTREE : LockScope.OBJECT;
                    step(new LockEvent.Acquire(h, p, m, s, nextRequest++));
                }
                case 4, 5 -> step(new LockEvent.Release(h, p));
                case 6 -> step(new LockEvent.Downgrade(h, p));
                case 7 -> step(op.pick() % 4 == 0 ? new LockEvent.Extend(h, p) : new LockEvent.Renew(h));
                case 8, 9, 10 -> {
                    List<Long> ackable = sent.values().stream().filter(r -> !down.contains(r.holder()))
                            .map(LockReady.Recall::pushId).toList();
                    if (!ackable.isEmpty()) {
                        step(new LockEvent.Ack(ackable.get(op.pick() % ackable.size())));
                    }
                }
                case 11 -> {
                    down.add(h);
                    step(new LockEvent.HolderGone(h));
                }
                default -> step(new LockEvent.Tick(table.now() + TICKS[op.pick() % TICKS.length]));
            }
        }

        /** Every connected holder acks every recall, then a lease duration passes; repeat. */
        void drain() {
            int rounds = pending.size() + 2;
            for (int i = 0; i < rounds && !pending.isEmpty(); i++) {
                for (LockReady.Recall r : List.copyOf(sent.values())) {
                    if (!down.contains(r.holder())) {
                        step(new LockEvent.Ack(r.pushId()));
                    }
                }
                step(new LockEvent.Tick(Math.max(table.now(), table.graceEndsAtNanos()) + L));
            }
            assertThat(pending).as("requests never answered").isEmpty();
            assertThat(table.queue()).isEmpty();
        }

        void step(LockEvent e) {
            Optional<Long> expectPendingRefusal = Optional.empty();
            Optional<Long> expectIdempotent = Optional.empty();
            switch (e) {
                case LockEvent.Acquire a -> {
                    boolean dup = pending.values().stream().anyMatch(q -> q.holder().equals(a.holder()) && q.path().equals(a.path()));
                    if (dup) {
                        expectPendingRefusal = Optional.of(a.requestId());
                    } else if (model.containsKey(a.holder() + " " + a.path())
                            && covers(model.get(a.holder() + " " + a.path()), a.mode(), a.scope())) {
                        expectIdempotent = Optional.of(a.requestId());
                    } else {
                        Lease own = model.get(a.holder() + " " + a.path());
                        pending.put(a.requestId(), new LockRequest(a.requestId(), a.holder(), a.path(),
                                own == null ? a.mode() : join(own.mode(), a.mode()),
                                own == null ? a.scope() : own.scope().max(a.scope())));
                    }
                }
                case LockEvent.Release r -> model.remove(r.holder() + " " + r.path());
                case LockEvent.Downgrade d -> downgrade(d.holder() + " " + d.path());
                case LockEvent.Renew r -> model.replaceAll((k, l) -> l.holder().equals(r.holder()) && l.recalled().isEmpty()
                        ? l.withExpiry(table.now() + L) : l);
                case LockEvent.Extend x -> model.computeIfPresent(x.holder() + " " + x.path(),
                        (k, l) -> l.withExpiry(table.now() + L));
                case LockEvent.Ack a -> {
                    LockReady.Recall r = sent.remove(a.pushId());
                    String key = r.holder() + " " + r.path();
                    Lease l = model.get(key);
                    if (l != null && l.leaseId() == r.leaseId()) {
                        switch (r.kind()) {
                            case TO_NOTHING -> model.remove(key);
                            case TO_SHARED -> downgrade(key);
                        }
                    }
                }
                case LockEvent.HolderGone g -> {
                }
                case LockEvent.Tick t -> model.values().removeIf(l -> l.expiresAtNanos() <= t.nowNanos());
                case LockEvent.Grace g -> {
                }
            }
            table.step(e);
            LockTableInvariants.check(table);
            long now = table.now();
            if (e instanceof LockEvent.Tick) {
                sent.values().removeIf(r -> !model.containsKey(r.holder() + " " + r.path())
                        || model.get(r.holder() + " " + r.path()).leaseId() != r.leaseId());
            }
            LockReady rd = table.ready();
            for (LockReady.Refusal f : rd.refusals()) {
                switch (f.reason()) {
                    case ALREADY_PENDING -> assertThat(expectPendingRefusal).contains(f.requestId());
                    case HOLDER_GONE -> {
                        assertThat(e).isEqualTo(new LockEvent.HolderGone(f.holder()));
                        assertThat(pending.remove(f.requestId())).isNotNull();
                    }
                }
            }
            if (expectPendingRefusal.isPresent()) {
                assertThat(rd.refusals()).extracting(LockReady.Refusal::requestId).contains(expectPendingRefusal.get());
            }
            if (e instanceof LockEvent.HolderGone g) {
                assertThat(pending.values()).noneMatch(q -> q.holder().equals(g.holder()));
            }
            for (LockReady.Grant g : rd.grants()) {
                grantsSeen++;
                assertThat(now).isGreaterThanOrEqualTo(table.graceEndsAtNanos());
                String key = g.holder() + " " + g.path();
                LockRequest q = pending.remove(g.requestId());
                Lease held = model.get(key);
                if (q == null) { // idempotent re-acquire: the existing lease, unchanged, at once
                    assertThat(expectIdempotent).contains(g.requestId());
                    expectIdempotent = Optional.empty();
                    assertThat(held).isNotNull();
                    assertThat(g.leaseId()).isEqualTo(held.leaseId());
                    assertThat(g.expiresAtNanos()).isEqualTo(held.expiresAtNanos());
                    continue;
                }
                assertThat(g.mode()).isEqualTo(q.mode());
                assertThat(g.scope()).isEqualTo(q.scope());
                assertThat(g.expiresAtNanos()).isEqualTo(now + L);
                for (Lease other : model.values()) {
                    assertThat(conflict(other, g)).as("granted %s over %s", g, other).isFalse();
                }
                for (LockRequest earlier : pending.values()) {
                    assertThat(earlier.requestId() < g.requestId() && !earlier.holder().equals(g.holder())
                            && overlap(earlier.path(), earlier.scope(), g.path(), g.scope())
                            && conflict(earlier.mode(), g.mode()))
                            .as("granted %s ahead of %s", g, earlier).isFalse();
                }
                model.put(key, new Lease(g.leaseId(), g.holder(), g.path(), g.mode(), g.scope(), g.expiresAtNanos(), Optional.empty()));
            }
            assertThat(expectIdempotent).as("idempotent re-acquire not granted at once").isEmpty();
            for (LockReady.Recall r : rd.recalls()) {
                Lease l = model.get(r.holder() + " " + r.path());
                assertThat(l).as("recall of a lease not held: %s", r).isNotNull();
                assertThat(l.leaseId()).isEqualTo(r.leaseId());
                sent.put(r.pushId(), r);
                if (l.recalled().isEmpty() || l.recalled().get().compareTo(r.kind()) < 0) {
                    model.put(r.holder() + " " + r.path(), l.withRecalled(Optional.of(r.kind())));
                }
            }
            table.advance();
            assertThat(table.ready().isEmpty()).isTrue();
            assertThat(render(table.leases())).isEqualTo(render(model.values()));
            for (String h : HOLDERS) {
                assertThat(table.renewable(h)).as("renewable leases of %s", h).isEqualTo((int) model.values().stream()
                        .filter(l -> l.holder().equals(h) && l.recalled().isEmpty()).count());
            }
            assertThat(table.queue()).containsExactlyElementsOf(pending.values());
        }

        private void downgrade(String key) {
            Lease l = model.get(key);
            if (l != null && l.mode() == LockMode.EXCLUSIVE) {
                model.put(key, l.withMode(LockMode.SHARED).withRecalled(l.recalled().filter(k -> k == RecallKind.TO_NOTHING)));
            }
        }

        /** The model's own conflict rule, written from the spec rather than shared with the table. */
        private static boolean conflict(Lease l, LockReady.Grant g) {
            return !l.holder().equals(g.holder())
                    && conflict(l.mode(), g.mode())
                    && overlap(l.path(), l.scope(), g.path(), g.scope());
        }

        /** Modes conflict unless both are SHARED or both are INTENT. */
        private static boolean conflict(LockMode a, LockMode b) {
            return a != b || a == LockMode.EXCLUSIVE;
        }

        private static boolean covers(Lease held, LockMode m, LockScope s) {
            return (held.mode() == LockMode.EXCLUSIVE || held.mode() == m) && held.scope().compareTo(s) >= 0;
        }

        private static LockMode join(LockMode a, LockMode b) {
            return a == b ? a : LockMode.EXCLUSIVE;
        }

        private static boolean overlap(ObjectPath a, LockScope sa, ObjectPath b, LockScope sb) {
            return a.equals(b) || (sa == LockScope.SUBTREE && b.toString().startsWith(a.isRoot() ? "/" : a + "/"))
                    || (sb == LockScope.SUBTREE && a.toString().startsWith(b.isRoot() ? "/" : b + "/"));
        }

        private static Set<String> render(Iterable<Lease> leases) {
            Set<String> out = new TreeSet<>();
            leases.forEach(l -> out.add(l.toString()));
            return out;
        }
    }
}
