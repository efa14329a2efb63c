package org.pohmelfs.coherence;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Random event sequences on one gateway cache entry, with a clock that only moves forward.
 * Checks the safety rule (nothing served or written under no lease, or at or past the
 * deadline) and that every recall push is acknowledged exactly once.
 */
class CacheEntryPropertyTest {
    private static final long MS = 1_000_000L;
    private static final long L = 10_000 * MS;

    record Ev(int kind, int advanceMs) {
    }

    @Provide
    Arbitrary<List<Ev>> events() {
        return Combinators.combine(Arbitraries.integers().between(0, 11), Arbitraries.integers().between(0, 3000))
                .as(Ev::new).list().ofMaxSize(60);
    }

    @Property(tries = 1000)
    void neverServesOutsideALeaseAndAcksEveryPushOnce(@ForAll("events") List<Ev> events) {
        CacheEntryState entry = CacheEntryState.create(LeaseClock.DEFAULT);
        long now = 0;
        long acquireSentAt = 0;
        long nextPush = 1;
        List<Long> received = new ArrayList<>();
        List<Long> acked = new ArrayList<>();
        for (Ev ev : events) {
            now += ev.advanceMs() * MS;
            CacheEvent e = switch (ev.kind()) {
                case 0 -> new CacheEvent.Read(now);
                case 1 -> new CacheEvent.Write(now);
                case 2 -> new CacheEvent.GrantShared(acquireSentAt, L, now);
                case 3 -> new CacheEvent.GrantExclusive(acquireSentAt, L, now);
                case 4 -> new CacheEvent.RecallShared(nextPush++);
                case 5 -> new CacheEvent.RecallExclusive(nextPush++);
                case 6 -> new CacheEvent.Tick(now);
                case 7 -> new CacheEvent.Expire();
                case 8 -> new CacheEvent.Renewed(Math.max(0, now - 200 * MS), L);
                case 9 -> new CacheEvent.FlushDone();
                case 10 -> new CacheEvent.FlushFailed();
                default -> new CacheEvent.Evict();
            };
            if (e instanceof CacheEvent.RecallShared r) {
                received.add(r.pushId());
            } else if (e instanceof CacheEvent.RecallExclusive r) {
                received.add(r.pushId());
            }
            // a serve is legal under the lease valid when the event arrived, or under the grant itself
            boolean legal = switch (e) {
                case CacheEvent.GrantShared g -> now < LeaseClock.DEFAULT.gatewayDeadline(g.sentAtNanos(), g.leaseNanos());
                case CacheEvent.GrantExclusive g -> now < LeaseClock.DEFAULT.gatewayDeadline(g.sentAtNanos(), g.leaseNanos());
                default -> entry.mayServe(now);
            };
            CacheActions out = entry.step(e);
            if (out.acquire().isPresent()) {
                acquireSentAt = now;
            }
            acked.addAll(out.pushAcks());
            if (out.serveReads() || out.runWrites()) {
                assertThat(legal).as("served under no lease or past the deadline: %s", out).isTrue();
            }
            if (out.runWrites()) {
                assertThat(entry.state()).isIn(CacheState.M, CacheState.F, CacheState.I);
            }
            assertThat(out.downgrade() && out.release()).isFalse();
            assertThat(entry.state() == CacheState.F).isEqualTo(entry.flushTarget() != entry.state());
            assertThat(acked).doesNotHaveDuplicates();
            assertThat(received).containsAll(acked);
            assertThat(out.acquire().isPresent()).isEqualTo(
                    out.acquire().isPresent() && (entry.state() == CacheState.IS || entry.state() == CacheState.IX));
        }
        acked.addAll(entry.step(new CacheEvent.Expire()).pushAcks());
        assertThat(entry.state()).isEqualTo(CacheState.I);
        assertThat(acked).as("every push answered once").containsExactlyInAnyOrderElementsOf(received);
        assertThat(entry.step(new CacheEvent.GrantExclusive(now, L, now)).release()).isTrue();
        assertThat(Optional.of(entry.state())).contains(CacheState.I);
    }
}
