package org.pohmelfs.gateway.failover;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.pohmelfs.gateway.failover.Workload.Kind;
import org.pohmelfs.gateway.failover.Workload.Op;

/** The failover checks on hand-made histories: each kind of violation is found. */
class FailoverHistoryTest {
    private static Op write(Kind kind, String path, int version, long start, long end, int status) {
        return new Op(kind, 0, path, version, start, end, status, null, 0);
    }

    private static Op read(String path, long start, long end, int got) {
        return new Op(Kind.READ, 1, path, 0, start, end, 200, null, got);
    }

    @Test
    void aReadOlderThanAWriteAcknowledgedBeforeItStartedIsStale() {
        FailoverHistory h = new FailoverHistory(List.of(
                write(Kind.CREATE, "/a", 1, 0, 10, 201),
                write(Kind.OVERWRITE, "/a", 2, 20, 30, 204),
                read("/a", 25, 40, 1),   // overlaps the overwrite: either version is fine
                read("/a", 31, 40, 2),
                read("/a", 35, 50, 1))); // started after version 2 was acknowledged: stale
        assertThat(h.staleReads()).hasSize(1).first().asString().contains("returned version 1").contains("version 2");
        assertThat(h.failures()).isEmpty();
    }

    @Test
    void failedRequestsAndForeignContentAreFailures() {
        Op lost = new Op(Kind.OVERWRITE, 0, "/a", 2, 20, 30, -1, "timeout", 0);
        Op error = write(Kind.CREATE, "/b", 1, 0, 5, 503);
        Op garbage = read("/a", 40, 41, -1);
        FailoverHistory h = new FailoverHistory(List.of(write(Kind.CREATE, "/a", 1, 0, 10, 201), lost, error, garbage));
        assertThat(h.failures()).containsExactly(lost, error, garbage);
        // After the run /a may hold 1 (acknowledged) or 2 (sent, answer lost); never 0 or 3.
        assertThat(h.accepts("/a", 1)).isTrue();
        assertThat(h.accepts("/a", 2)).isTrue();
        assertThat(h.accepts("/a", 0)).isFalse();
        assertThat(h.accepts("/a", 3)).isFalse();
        assertThat(h.lastAcknowledged()).containsOnlyKeys("/a").containsEntry("/a", 1);
    }

    @Test
    void latencyQuantilesOfAWindow() {
        FailoverHistory h = new FailoverHistory(List.of(
                write(Kind.CREATE, "/a", 1, 0, 1_000_000, 201),
                write(Kind.CREATE, "/b", 1, 100, 2_000_100, 201),
                write(Kind.CREATE, "/c", 1, 200, 9_000_200, 201),
                write(Kind.CREATE, "/d", 1, 5_000, 5_005_000, 201)));
        double[] window = h.latencyMillis(0, 1_000);
        assertThat(window).containsExactly(1.0, 2.0, 9.0);
        assertThat(FailoverHistory.quantile(window, 0.5)).isEqualTo(2.0);
        assertThat(FailoverHistory.quantile(window, 0.99)).isEqualTo(9.0);
        assertThat(FailoverHistory.quantile(new double[0], 0.5)).isNaN();
    }
}
