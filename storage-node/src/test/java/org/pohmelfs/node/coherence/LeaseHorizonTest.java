package org.pohmelfs.node.coherence;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The lease horizon: the grace period it gives a start, and when it is rewritten. */
class LeaseHorizonTest {
    private static final long L = 10_000;

    @TempDir
    Path state;

    @Test
    void graceIsUntilTheHorizonCappedAtOneLeaseDuration() {
        long now = 1_000_000;
        assertThat(LeaseHorizon.graceMillis(new LeaseHorizon.Read.Missing(), now, L)).as("fresh export").isZero();
        assertThat(LeaseHorizon.graceMillis(new LeaseHorizon.Read.Corrupt("3 bytes"), now, L)).as("doubt: full").isEqualTo(L);
        assertThat(LeaseHorizon.graceMillis(new LeaseHorizon.Read.At(now - 1), now, L)).as("horizon passed").isZero();
        assertThat(LeaseHorizon.graceMillis(new LeaseHorizon.Read.At(now + 2_500), now, L)).isEqualTo(2_500);
        assertThat(LeaseHorizon.graceMillis(new LeaseHorizon.Read.At(now + LeaseHorizon.AHEAD * L), now, L))
                .as("a horizon further than L (amortised writes, or the clock went back): L is always enough").isEqualTo(L);
    }

    @Test
    void aRewriteHappensOnlyWhenTheStoredHorizonNoLongerCoversNowPlusL() {
        assertThat(LeaseHorizon.nextHorizon(Long.MIN_VALUE, 0, L)).isEqualTo(LeaseHorizon.AHEAD * L);
        assertThat(LeaseHorizon.nextHorizon(5 * L, 4 * L, L)).as("covers now + L exactly").isEqualTo(Long.MIN_VALUE);
        assertThat(LeaseHorizon.nextHorizon(5 * L, 4 * L + 1, L)).isEqualTo(4 * L + 1 + LeaseHorizon.AHEAD * L);
    }

    @Test
    void ensureWritesAheadAndIsAmortised() throws IOException {
        AtomicLong wall = new AtomicLong(1_000_000);
        LeaseHorizon h = LeaseHorizon.open(state, Duration.ofMillis(L), wall::get);
        assertThat(h.grace()).isZero();
        assertThat(state.resolve(LeaseHorizon.FILE)).doesNotExist();
        h.ensure();
        long first = stored();
        assertThat(first).isEqualTo(1_000_000 + LeaseHorizon.AHEAD * L);
        wall.addAndGet((LeaseHorizon.AHEAD - 1) * L); // now + L == stored: still covered
        h.ensure();
        assertThat(stored()).isEqualTo(first);
        wall.incrementAndGet();
        h.ensure();
        assertThat(stored()).isEqualTo(wall.get() + LeaseHorizon.AHEAD * L);

        // The next start, 1 s later: grace until the horizon, capped at L.
        wall.addAndGet(1_000);
        assertThat(LeaseHorizon.open(state, Duration.ofMillis(L), wall::get).grace()).isEqualTo(Duration.ofMillis(L));
        wall.addAndGet(LeaseHorizon.AHEAD * L - 1_000 - 2_000);
        assertThat(LeaseHorizon.open(state, Duration.ofMillis(L), wall::get).grace()).isEqualTo(Duration.ofMillis(2_000));
    }

    @Test
    void aCorruptOrUnreadableHorizonMeansTheFullGraceAndIsRewritten() throws IOException {
        Files.write(state.resolve(LeaseHorizon.FILE), new byte[] {1, 2, 3});
        LeaseHorizon h = LeaseHorizon.open(state, Duration.ofMillis(L), () -> 5L);
        assertThat(h.grace()).isEqualTo(Duration.ofMillis(L));
        h.ensure();
        assertThat(stored()).isEqualTo(5 + LeaseHorizon.AHEAD * L);

        Files.delete(state.resolve(LeaseHorizon.FILE));
        Files.createDirectory(state.resolve(LeaseHorizon.FILE)); // unreadable as a file
        assertThat(LeaseHorizon.read(state.resolve(LeaseHorizon.FILE))).isInstanceOf(LeaseHorizon.Read.Corrupt.class);
        assertThat(LeaseHorizon.open(state, Duration.ofMillis(L), () -> 5L).grace()).isEqualTo(Duration.ofMillis(L));
    }

    @Test
    void aCleanStopStoresTheExactHorizon() throws IOException {
        AtomicLong wall = new AtomicLong(1_000_000);
        LeaseHorizon h = LeaseHorizon.open(state, Duration.ofMillis(L), wall::get);
        h.ensure();
        h.stopped(1_500);
        assertThat(stored()).isEqualTo(1_001_500);
        assertThat(LeaseHorizon.open(state, Duration.ofMillis(L), wall::get).grace()).isEqualTo(Duration.ofMillis(1_500));
        h.stopped(0);
        assertThat(LeaseHorizon.open(state, Duration.ofMillis(L), wall::get).grace()).isZero();
    }

    private long stored() throws IOException {
        return ByteBuffer.wrap(Files.readAllBytes(state.resolve(LeaseHorizon.FILE))).getLong();
    }
}
