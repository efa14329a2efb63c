package org.pohmelfs.gateway.nodes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ConnectBackoffTest {
    private static final long MS = 1_000_000L;

    private final ConnectBackoff<String> backoff = new ConnectBackoff<>(Duration.ofMillis(200), Duration.ofSeconds(10));

    @Test
    void nothingIsHeldBeforeAFailure() {
        assertThat(backoff.held(0)).isNull();
        assertThat(backoff.held(Long.MAX_VALUE)).isNull();
    }

    @Test
    void aFailureIsHeldForTheFirstStepThenReleased() {
        long t0 = 5_000 * MS;
        assertThat(backoff.failed("refused", t0)).isEqualTo(Duration.ofMillis(200));
        assertThat(backoff.held(t0)).isEqualTo("refused");
        assertThat(backoff.held(t0 + 199 * MS)).isEqualTo("refused");
        assertThat(backoff.held(t0 + 200 * MS)).isNull();
    }

    @Test
    void stepsDoubleUpToTheLongestAndStayThere() {
        List<Duration> steps = new ArrayList<>();
        long now = 0;
        for (int i = 0; i < 10; i++) {
            Duration step = backoff.failed("refused " + i, now);
            steps.add(step);
            assertThat(backoff.held(now + step.toNanos() - 1)).isEqualTo("refused " + i);
            now += step.toNanos();
            assertThat(backoff.held(now)).isNull();
        }
        assertThat(steps).extracting(Duration::toMillis)
                .containsExactly(200L, 400L, 800L, 1600L, 3200L, 6400L, 10000L, 10000L, 10000L, 10000L);
    }

    @Test
    void aSuccessReleasesTheFailureAndStartsOver() {
        backoff.failed("a", 0);
        backoff.failed("b", 200 * MS);
        backoff.succeeded();
        assertThat(backoff.held(250 * MS)).isNull();
        assertThat(backoff.failed("c", 300 * MS)).isEqualTo(Duration.ofMillis(200));
    }

    @Test
    void worksAcrossTheWrapOfNanoTime() {
        long near = Long.MAX_VALUE - 100 * MS;
        backoff.failed("wrapped", near);
        assertThat(backoff.held(near + 150 * MS)).isEqualTo("wrapped"); // overflows to negative
        assertThat(backoff.held(near + 200 * MS)).isNull();
    }

    @Test
    void refusesAnEmptyOrInvertedRange() {
        assertThatThrownBy(() -> new ConnectBackoff<String>(Duration.ZERO, Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ConnectBackoff<String>(Duration.ofSeconds(2), Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
