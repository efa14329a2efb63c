package org.pohmelfs.node.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.pohmelfs.node.cluster.EpochFence.Verdict.ADMIT;
import static org.pohmelfs.node.cluster.EpochFence.Verdict.BUSY;
import static org.pohmelfs.node.cluster.EpochFence.Verdict.REFRESH;
import static org.pohmelfs.node.cluster.EpochFence.Verdict.STALE;

import java.io.IOException;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The fence's decision table and how it learns epochs, without the wire. */
class EpochFenceTest {
    @Test
    void decisionTable() {
        assertThat(EpochFence.decide(0, 0, false)).isEqualTo(ADMIT);
        assertThat(EpochFence.decide(0, 0, true)).isEqualTo(ADMIT);
        assertThat(EpochFence.decide(4, 0, false)).isEqualTo(ADMIT);
        assertThat(EpochFence.decide(4, 0, true)).isEqualTo(STALE);
        assertThat(EpochFence.decide(4, 4, true)).isEqualTo(ADMIT);
        assertThat(EpochFence.decide(4, 3, false)).isEqualTo(STALE);
        assertThat(EpochFence.decide(4, 1, false)).isEqualTo(STALE);
        assertThat(EpochFence.decide(4, 5, false)).isEqualTo(REFRESH);
        assertThat(EpochFence.decide(0, 1, false)).isEqualTo(REFRESH);
    }

    @Test
    void aStandaloneNodeAdoptsALaterEpochFromARequestAndNeverGoesBack() {
        EpochFence fence = EpochFence.standalone();
        assertThat(fence.check(7)).isEqualTo(REFRESH);
        assertThat(fence.refresh(7)).isEqualTo(ADMIT);
        assertThat(fence.epoch()).isEqualTo(7);
        assertThat(fence.check(6)).isEqualTo(STALE);
        fence.observe(3);
        assertThat(fence.epoch()).isEqualTo(7);
    }

    @Test
    void aNodeThatFollowsAMapTrustsTheMapNotTheRequest() {
        AtomicLong map = new AtomicLong(2);
        EpochFence fence = EpochFence.following(2, map::get, false);
        assertThat(fence.refresh(3)).as("map still at 2").isEqualTo(BUSY);
        assertThat(fence.epoch()).isEqualTo(2);
        map.set(3);
        assertThat(fence.refresh(3)).isEqualTo(ADMIT);
        map.set(5);
        assertThat(fence.refresh(4)).as("the map moved past the request").isEqualTo(STALE);
        assertThat(fence.epoch()).isEqualTo(5);
        EpochFence broken = EpochFence.following(1, () -> {
            throw new IOException("no quorum");
        }, false);
        assertThat(broken.refresh(2)).isEqualTo(BUSY);
    }

    @Test
    void outOfSessionEveryRequestIsBusyUntilTheMapIsReadAgain() {
        AtomicLong map = new AtomicLong(3);
        EpochFence fence = EpochFence.following(3, map::get, false);
        fence.sessionLost();
        assertThat(fence.serving()).isFalse();
        assertThat(fence.check(3)).isEqualTo(BUSY);
        assertThat(fence.check(0)).isEqualTo(BUSY);
        assertThat(fence.check(2)).isEqualTo(BUSY);
        assertThat(fence.refresh(4)).isEqualTo(BUSY);
        fence.sessionRestored(5);
        assertThat(fence.serving()).isTrue();
        assertThat(fence.epoch()).isEqualTo(5);
        assertThat(fence.check(5)).isEqualTo(ADMIT);
        assertThat(fence.check(3)).isEqualTo(STALE);
    }
}
