package org.pohmelfs.gateway.testing.history;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class LeaseBoundTest {
    private final LeaseBound bound = new LeaseBound(3_000);

    LeaseBoundTest() {
        for (int v = 0; v <= 2; v++) {
            bound.sending(v);
            bound.written(v, v * 10_000L);
        }
    }

    @Test
    void theLatestValueIsAlwaysFresh() {
        assertThat(bound.violation(2, 1_000_000)).isNull();
    }

    @Test
    void anOverwrittenValueIsFineWithinTheBound() {
        assertThat(bound.violation(0, 10_000)).isNull();
        assertThat(bound.violation(0, 13_000)).isNull();
        assertThat(bound.violation(1, 22_999)).isNull();
    }

    @Test
    void anOverwrittenValueIsStalePastTheBound() {
        assertThat(bound.violation(0, 13_001)).contains("served 0").contains("write 1");
        assertThat(bound.violation(1, 30_000)).contains("served 1").contains("write 2");
    }

    @Test
    void aValueNeverWrittenIsWrong() {
        assertThat(bound.violation(3, 20_000)).contains("never sent");
        assertThat(bound.violation(-1, 20_000)).contains("never sent");
    }

    @Test
    void aWriteInFlightMayBeSeenAndDoesNotYetMakeThePreviousValueStale() {
        bound.sending(3);
        assertThat(bound.violation(3, 25_000)).isNull();
        assertThat(bound.violation(2, 1_000_000)).isNull();
        assertThat(bound.lastCompleted()).isEqualTo(2);
        bound.written(3, 30_000);
        assertThat(bound.violation(2, 33_001)).contains("write 3");
        assertThat(bound.lastCompleted()).isEqualTo(3);
    }

    @Test
    void writesMustComeInSequence() {
        assertThatThrownBy(() -> bound.sending(5)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> bound.written(1, 30_000)).isInstanceOf(IllegalArgumentException.class);
        assertThat(bound.last()).isEqualTo(2);
        assertThat(bound.count()).isEqualTo(3);
    }
}
