package org.pohmelfs.placement;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Power of two choices, deterministic under a seed; sticky multi-chunk reads and their failover. */
class ReadBalancerTest {
    private static ReadBalancer balancer(long seed, String... nodes) {
        ReadBalancer b = new ReadBalancer(new SplittableRandom(seed));
        b.setReadSet(List.of(nodes));
        return b;
    }

    @Test
    void withTwoNodesTheLessLoadedAlwaysWins() {
        ReadBalancer b = balancer(1, "a", "b");
        b.started("b");
        for (int i = 0; i < 20; i++) {
            assertThat(b.choose(Set.of())).contains("a");
        }
        b.finished("b");
        b.started("a");
        for (int i = 0; i < 20; i++) {
            assertThat(b.choose(Set.of())).contains("b");
        }
        b.finished("a");
        b.finished("a");
        assertThat(b.outstanding("a")).isZero();
    }

    @Test
    void theMostLoadedOfThreeIsNeverChosenAndTheOthersShareTheLoad() {
        ReadBalancer b = balancer(42, "a", "b", "c");
        for (int i = 0; i < 5; i++) {
            b.started("c");
        }
        Map<String, Integer> picks = new HashMap<>();
        for (int i = 0; i < 3000; i++) {
            picks.merge(b.choose(Set.of()).orElseThrow(), 1, Integer::sum);
        }
        assertThat(picks).doesNotContainKey("c");
        // c is drawn in 2 of 3 pairs and loses to the other; a tie of a and b goes either way.
        assertThat(picks.get("a")).isBetween(1350, 1650);
        assertThat(picks.get("b")).isBetween(1350, 1650);
    }

    @Test
    void idleNodesShareTheReadsEvenlyWhateverTheirMapOrder() {
        for (long seed = 0; seed < 5; seed++) {
            ReadBalancer b = balancer(seed, "a", "b", "c");
            Map<String, Integer> picks = new HashMap<>();
            for (int i = 0; i < 3000; i++) {
                picks.merge(b.choose(Set.of()).orElseThrow(), 1, Integer::sum);
            }
            assertThat(picks).as("seed %d", seed).containsOnlyKeys("a", "b", "c");
            assertThat(picks.values()).as("seed %d: %s", seed, picks).allSatisfy(v -> assertThat(v).isBetween(850, 1150));
        }
    }

    @Test
    void underLoadReportedAsItGoesTheReadsSpreadEvenly() {
        ReadBalancer b = balancer(7, "a", "b", "c");
        Map<String, Integer> picks = new HashMap<>();
        for (int i = 0; i < 3000; i++) {
            String n = b.choose(Set.of()).orElseThrow();
            b.started(n);
            picks.merge(n, 1, Integer::sum);
        }
        assertThat(picks.values()).allSatisfy(v -> assertThat(v).isBetween(990, 1010));
        assertThat(Math.abs(b.outstanding("a") - b.outstanding("c"))).isLessThanOrEqualTo(1);
    }

    @Test
    void theSameSeedReplaysTheSameChoices() {
        ReadBalancer x = balancer(99, "a", "b", "c", "d");
        ReadBalancer y = balancer(99, "a", "b", "c", "d");
        for (int i = 0; i < 200; i++) {
            String n = x.choose(Set.of()).orElseThrow();
            assertThat(y.choose(Set.of())).contains(n);
            x.started(n);
            y.started(n);
        }
    }

    @Test
    void excludedAndDepartedNodesAreNeverChosen() {
        ReadBalancer b = balancer(3, "a", "b", "c");
        for (int i = 0; i < 100; i++) {
            assertThat(b.choose(Set.of("a", "c"))).contains("b");
        }
        assertThat(b.choose(Set.of("a", "b", "c"))).isEmpty();
        b.started("c");
        b.setReadSet(List.of("a", "b"));
        assertThat(b.outstanding("c")).isZero();
        for (int i = 0; i < 100; i++) {
            assertThat(b.choose(Set.of())).isNotEqualTo(Optional.of("c"));
        }
        b.setReadSet(List.of());
        assertThat(b.choose(Set.of())).isEmpty();
    }

    @Test
    void aStickyReadKeepsItsNodeAndFailsOverToUntriedOnes() {
        ReadBalancer b = balancer(5, "a", "b", "c");
        ReadBalancer.StickyRead read = b.startRead();
        String first = read.node().orElseThrow();
        for (int i = 0; i < 10; i++) {
            b.started("a");
            b.started("b");
            b.started("c");
            assertThat(read.node()).contains(first);
        }
        String second = read.failover().orElseThrow();
        assertThat(second).isNotEqualTo(first);
        String third = read.failover().orElseThrow();
        assertThat(third).isNotIn(first, second);
        assertThat(read.failover()).isEmpty();
        assertThat(read.node()).isEmpty();

        ReadBalancer.StickyRead other = b.startRead();
        String node = other.node().orElseThrow();
        b.setReadSet(List.of("a", "b", "c").stream().filter(n -> !n.equals(node)).toList());
        assertThat(other.node()).as("its node left the read set").isEmpty();
        assertThat(other.failover()).isPresent().get().isNotEqualTo(node);
    }
}
