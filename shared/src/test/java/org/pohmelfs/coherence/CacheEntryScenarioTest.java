package org.pohmelfs.coherence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.pohmelfs.coherence.CacheEntryTableTest.L;
import static org.pohmelfs.coherence.CacheEntryTableTest.S;
import static org.pohmelfs.coherence.CacheEntryTableTest.label;
import static org.pohmelfs.coherence.CacheEntryTableTest.reach;

import org.junit.jupiter.api.Test;

/** Paths through the gateway table that compose several cells, and the deadline rule. */
class CacheEntryScenarioTest {
    private static final long MS = 1_000_000L;

    @Test
    void deadlineIsSendTimePlusLeaseLessDriftAndMargin() {
        assertThat(LeaseClock.DEFAULT.gatewayDeadline(0, L)).isEqualTo(9_400 * MS);
        assertThat(LeaseClock.DEFAULT.gatewayDeadline(3 * S, L)).isEqualTo(12_400 * MS);
        assertThat(new LeaseClock(0, 0).gatewayDeadline(5, L)).isEqualTo(5 + L);
        // L·ρ is rounded up: the deadline is never later than exact
        assertThat(new LeaseClock(1, 0).gatewayDeadline(0, 999_999)).isEqualTo(999_998);
        assertThat(LeaseClock.renewalPoint(9_400 * MS, L)).isEqualTo(9_400 * MS - L / 3);
        // the gateway's deadline comes before the node's expiry for any grant at or after the send
        assertThat(LeaseClock.DEFAULT.gatewayDeadline(0, L)).isLessThan(LeaseClock.nodeExpiry(0, L));
    }

    @Test
    void neverServesAtOrPastTheDeadline() {
        CacheEntryState e = reach("S");
        assertThat(e.mayServe(9_399 * MS)).isTrue();
        assertThat(e.step(new CacheEvent.Read(9_399 * MS)).toString()).isEqualTo("SERVE");
        assertThat(e.mayServe(9_400 * MS)).isFalse();
        assertThat(e.step(new CacheEvent.Read(9_400 * MS)).toString()).isEqualTo("ACQUIRE_S DROP");
        assertThat(label(e)).isEqualTo("IS");
    }

    @Test
    void writeInModifiedPastTheDeadlineFailsThePendingRequests() {
        CacheEntryState e = reach("M");
        assertThat(e.step(new CacheEvent.Write(9_400 * MS)).toString()).isEqualTo("ACQUIRE_X FAIL DROP");
        assertThat(label(e)).isEqualTo("IX");
    }

    @Test
    void tickAtTheDeadlineExpires() {
        CacheEntryState e = reach("S");
        assertThat(e.step(new CacheEvent.Tick(9_400 * MS)).toString()).isEqualTo("DROP");
        assertThat(label(e)).isEqualTo("I");
    }

    @Test
    void renewalMovesTheDeadlineAndRenewIsSentOncePerRenewalPoint() {
        CacheEntryState e = reach("S");
        assertThat(e.step(new CacheEvent.Tick(7 * S)).toString()).isEqualTo("RENEW");
        assertThat(e.step(new CacheEvent.Tick(8 * S)).toString()).isEqualTo("-");
        e.step(new CacheEvent.Renewed(7 * S, L));
        assertThat(e.deadlineNanos()).isEqualTo(16_400 * MS);
        assertThat(e.step(new CacheEvent.Read(12 * S)).toString()).isEqualTo("SERVE");
        assertThat(e.step(new CacheEvent.Tick(14 * S)).toString()).isEqualTo("RENEW");
    }

    @Test
    void aGrantThatArrivesAfterItsDeadlineIsReleasedAndTheWaitersFail() {
        CacheEntryState e = reach("IS");
        assertThat(e.step(new CacheEvent.GrantShared(0, L, 9_400 * MS)).toString()).isEqualTo("RELEASE FAIL");
        assertThat(label(e)).isEqualTo("I");
    }

    @Test
    void recallWhilePendingIsAnsweredAfterTheGrant() {
        CacheEntryState e = reach("IS");
        assertThat(e.step(new CacheEvent.RecallExclusive(7)).toString()).isEqualTo("-");
        assertThat(e.step(new CacheEvent.GrantShared(0, L, S)).toString()).isEqualTo("ACK(7) SERVE DROP");
        assertThat(label(e)).isEqualTo("I");
    }

    @Test
    void recallToSharedWhilePendingExclusiveFlushesTheWritesItRan() {
        CacheEntryState e = reach("IX");
        e.step(new CacheEvent.RecallShared(7));
        assertThat(e.step(new CacheEvent.GrantExclusive(0, L, S)).toString()).isEqualTo("FLUSH RUN");
        assertThat(label(e)).isEqualTo("F(S)");
        assertThat(e.step(new CacheEvent.FlushDone()).toString()).isEqualTo("DOWNGRADE ACK(7)");
        assertThat(label(e)).isEqualTo("S");
    }

    @Test
    void aWriteQueuedWhilePendingSharedAsksForExclusiveAfterTheGrant() {
        CacheEntryState e = reach("IS");
        e.step(new CacheEvent.Write(S));
        assertThat(e.step(new CacheEvent.GrantShared(0, L, S)).toString()).isEqualTo("ACQUIRE_X SERVE");
        assertThat(label(e)).isEqualTo("IX(S)");
        assertThat(e.step(new CacheEvent.GrantExclusive(S, L, 2 * S)).toString()).isEqualTo("RUN");
        assertThat(label(e)).isEqualTo("M");
    }

    @Test
    void aWriteWaitingOnAFlushRunsWhenItEndsExclusive() {
        CacheEntryState e = reach("F(E)");
        e.step(new CacheEvent.Write(6 * S));
        assertThat(e.step(new CacheEvent.FlushDone()).toString()).isEqualTo("RUN");
        assertThat(label(e)).isEqualTo("M");
    }

    @Test
    void aWriteWaitingOnAFlushToInvalidAsksForExclusiveAgain() {
        CacheEntryState e = reach("F(I)");
        e.step(new CacheEvent.Write(2 * S));
        assertThat(e.step(new CacheEvent.FlushDone()).toString()).isEqualTo("ACQUIRE_X RELEASE ACK(1) DROP");
        assertThat(label(e)).isEqualTo("IX");
    }

    @Test
    void twoRecallsDuringAFlushAreBothAnsweredWhenItEnds() {
        CacheEntryState e = reach("F(S)");
        e.step(new CacheEvent.RecallExclusive(2));
        assertThat(e.step(new CacheEvent.FlushDone()).toString()).isEqualTo("RELEASE ACK(1,2) DROP");
    }

    @Test
    void upgradersAnswerTheRecallOfTheirSharedLeaseAtOnce() {
        // Two gateways hold S and both upgrade; the node queues one behind the other and
        // recalls the second one's S. Answering only after the grant would stall both for L.
        CacheEntryState e = reach("IX(S)");
        assertThat(e.step(new CacheEvent.RecallExclusive(7)).toString()).isEqualTo("ACK(7) DROP");
        assertThat(e.step(new CacheEvent.GrantExclusive(0, L, S)).toString()).isEqualTo("RUN");
    }
}
