package org.pohmelfs.node.coherence;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.pohmelfs.node.coherence.AuthorityGrace.End;
import org.pohmelfs.node.coherence.AuthorityGrace.Ended;

/** The authority grace's pure logic (design.md §4.4), with time passed in. L = 1000 ns. */
class AuthorityGraceTest {
    private static final long L = 1000;
    private static final TreeMap<String, Long> EMPTY = new TreeMap<>();

    private static AuthorityGrace followingN2() {
        AuthorityGrace g = new AuthorityGrace("n1", L);
        assertThat(g.map(1, "n2", 0)).isEmpty();
        assertThat(g.authority()).isFalse();
        return g;
    }

    @Test
    void beforeAnyMapTheNodeIsItsOwnAuthorityWithoutGrace() {
        AuthorityGrace g = new AuthorityGrace("n1", L);
        assertThat(g.authority()).isTrue();
        assertThat(g.active()).isFalse();
    }

    @Test
    void theFirstMapStartsNoGraceEvenWhenItNamesThisNode() {
        AuthorityGrace g = new AuthorityGrace("n1", L);
        assertThat(g.map(5, "n1", 10)).isEmpty();
        assertThat(g.authority()).isTrue();
        assertThat(g.active()).isFalse();
    }

    @Test
    void becomingAuthorityWaitsForEveryGatewayToApplyTheEpoch() {
        AuthorityGrace g = followingN2();
        g.gateways(Map.of("gw1", 1L, "gw2", 1L), 5);
        assertThat(g.map(2, "n1", 100)).isEmpty();
        assertThat(g.active()).isTrue();
        assertThat(g.authority()).isTrue();
        assertThat(g.endsAtNanos()).isEqualTo(100 + L);
        assertThat(g.gateways(Map.of("gw1", 2L, "gw2", 1L), 300)).isEmpty();
        assertThat(g.lagging()).containsExactly(Map.entry("gw2", 1L));
        assertThat(g.tick(400)).isEmpty();
        assertThat(g.gateways(Map.of("gw1", 2L, "gw2", 3L), 450)).contains(new Ended(End.GATEWAYS, 2, 350, EMPTY));
        assertThat(g.active()).isFalse();
        assertThat(g.tick(5000)).as("ended once").isEmpty();
    }

    @Test
    void aLaggingGatewayHoldsTheGraceUntilLPassed() {
        AuthorityGrace g = followingN2();
        g.gateways(Map.of("gw1", 1L), 5);
        g.map(2, "n1", 100);
        assertThat(g.tick(100 + L - 1)).isEmpty();
        assertThat(g.tick(100 + L)).contains(new Ended(End.TIMEOUT, 2, L, new TreeMap<>(Map.of("gw1", 1L))));
        assertThat(g.active()).isFalse();
    }

    @Test
    void gatewaysNotYetDeliveredEndTheGraceOnlyByTimeout() {
        AuthorityGrace g = followingN2();
        assertThat(g.map(2, "n1", 0)).isEmpty();
        assertThat(g.tick(L - 1)).isEmpty();
        assertThat(g.tick(L + 7)).contains(new Ended(End.TIMEOUT, 2, L, EMPTY));
    }

    @Test
    void noGatewayAtAllEndsTheGraceAtOnce() {
        AuthorityGrace g = followingN2();
        g.gateways(Map.of(), 0);
        assertThat(g.map(2, "n1", 50)).contains(new Ended(End.GATEWAYS, 2, 0, EMPTY));
    }

    @Test
    void gatewaysAlreadyPastTheEpochEndItAtOnce() {
        AuthorityGrace g = followingN2();
        g.gateways(Map.of("gw1", 3L), 0); // a gateway saw a later map before this node did
        assertThat(g.map(2, "n1", 50)).contains(new Ended(End.GATEWAYS, 2, 0, EMPTY));
    }

    @Test
    void aLaterMapKeepsTheEpochTheNodeBecameAuthorityAt() {
        AuthorityGrace g = followingN2();
        g.gateways(Map.of("gw1", 1L), 0);
        g.map(2, "n1", 100);
        assertThat(g.map(3, "n1", 200)).isEmpty();
        assertThat(g.endsAtNanos()).isEqualTo(100 + L);
        assertThat(g.gateways(Map.of("gw1", 2L), 300)).contains(new Ended(End.GATEWAYS, 2, 200, EMPTY));
    }

    @Test
    void losingTheAuthorityEndsTheGraceUncounted() {
        AuthorityGrace g = followingN2();
        g.gateways(Map.of("gw1", 1L), 0);
        g.map(2, "n1", 100);
        assertThat(g.map(3, "n2", 200)).isEmpty();
        assertThat(g.active()).isFalse();
        assertThat(g.authority()).isFalse();
        assertThat(g.tick(5000)).isEmpty();
        // Back again later: a new grace, at the new epoch.
        assertThat(g.map(4, "n1", 6000)).isEmpty();
        assertThat(g.active()).isTrue();
        assertThat(g.gateways(Map.of("gw1", 3L), 6100)).isEqualTo(Optional.empty());
        assertThat(g.gateways(Map.of("gw1", 4L), 6200)).contains(new Ended(End.GATEWAYS, 4, 200, EMPTY));
    }

    @Test
    void staleAndRepeatedMapsChangeNothingAndStayingAuthorityStartsNoGrace() {
        AuthorityGrace g = new AuthorityGrace("n1", L);
        g.map(3, "n1", 0);
        assertThat(g.map(3, "n2", 10)).isEmpty();
        assertThat(g.map(2, "n2", 10)).isEmpty();
        assertThat(g.authority()).isTrue();
        g.map(4, "n1", 20);
        assertThat(g.active()).as("was authority already").isFalse();
        assertThat(g.mapEpoch()).isEqualTo(4);
    }
}
