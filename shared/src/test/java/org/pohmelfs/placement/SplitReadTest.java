package org.pohmelfs.placement;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Split multi-chunk reads (design.md §4.3): chunks in flight share the read set, a failed chunk
 * moves to a node it has not tried, and later chunks keep away from nodes that failed or lagged;
 * the sticky read through the same interface. Deterministic under a seed.
 */
class SplitReadTest {
    private static ReadBalancer balancer(long seed, String... nodes) {
        ReadBalancer b = new ReadBalancer(new SplittableRandom(seed));
        b.setReadSet(List.of(nodes));
        return b;
    }

    private record Placed(long chunk, String node) {
    }

    /**
     * Reads {@code chunks} chunks keeping {@code depth} in flight, as the gateway does (each
     * placed chunk is started on its node, the oldest finishes first); the chunks per node.
     */
    private static Map<String, Integer> read(ReadBalancer b, ReadBalancer.ChunkedRead read, int chunks, int depth) {
        Map<String, Integer> served = new HashMap<>();
        Deque<Placed> inFlight = new ArrayDeque<>();
        for (long c = 0; c < chunks; c++) {
            if (inFlight.size() == depth) {
                Placed p = inFlight.removeFirst();
                b.finished(p.node());
                read.done(p.chunk());
            }
            String node = read.place(c).orElseThrow();
            b.started(node);
            served.merge(node, 1, Integer::sum);
            inFlight.addLast(new Placed(c, node));
        }
        inFlight.forEach(p -> {
            b.finished(p.node());
            read.done(p.chunk());
        });
        return served;
    }

    @Test
    void chunksInFlightShareTwoNodesEvenly() {
        for (long seed = 0; seed < 5; seed++) {
            ReadBalancer b = balancer(seed, "a", "b");
            ReadBalancer.SplitRead read = b.startSplitRead();
            Map<String, Integer> served = read(b, read, 64, 4);
            assertThat(served).as("seed %d", seed).containsOnlyKeys("a", "b");
            // Two in flight on each node at every step: a finished chunk frees its node's slot, and that
            // node (one outstanding against two) takes the next chunk.
            assertThat(served.get("a")).as("seed %d: %s", seed, served).isBetween(31, 33);
            assertThat(read.inFlight()).isZero();
            assertThat(b.outstanding("a") + b.outstanding("b")).isZero();
        }
    }

    @Test
    void chunksInFlightShareThreeNodes() {
        for (long seed = 0; seed < 5; seed++) {
            ReadBalancer b = balancer(seed, "a", "b", "c");
            Map<String, Integer> served = read(b, b.startSplitRead(), 60, 6);
            assertThat(served.values()).as("seed %d: %s", seed, served).hasSize(3)
                    .allSatisfy(v -> assertThat(v).isBetween(15, 25));
        }
    }

    @Test
    void aStickyReadSendsEveryChunkToOneNode() {
        ReadBalancer b = balancer(5, "a", "b", "c");
        Map<String, Integer> served = read(b, b.startRead(), 40, 4);
        assertThat(served).hasSize(1).containsValue(40);
    }

    @Test
    void aFailedChunkMovesToANodeItHasNotTriedAndLaterChunksAvoidTheFailedNode() {
        ReadBalancer b = balancer(11, "a", "b", "c");
        ReadBalancer.SplitRead read = b.startSplitRead();
        String first = read.place(0).orElseThrow();
        String second = read.failed(0, first).orElseThrow();
        assertThat(second).isNotEqualTo(first);
        String third = read.failed(0, second).orElseThrow();
        assertThat(third).isNotIn(first, second);
        assertThat(read.failed(0, third)).as("chunk 0 tried every node").isEmpty();
        assertThat(read.avoided()).containsExactlyInAnyOrder("a", "b", "c");
        read.done(0);

        // Every node failed once: a new chunk still gets one (the read fails only when a chunk runs out).
        assertThat(read.place(1)).isPresent();
        read.done(1);
    }

    @Test
    void laterChunksKeepAwayFromANodeThatFailedWhileAnotherIsLeft() {
        ReadBalancer b = balancer(3, "a", "b", "c");
        ReadBalancer.SplitRead read = b.startSplitRead();
        String moved = read.failed(0, "b").orElseThrow();
        assertThat(moved).isIn("a", "c");
        read.done(0);
        Map<String, Integer> served = read(b, read, 200, 4);
        assertThat(served).containsOnlyKeys("a", "c");
        // Another read does not inherit this one's failures.
        assertThat(read(b, b.startSplitRead(), 200, 6)).containsOnlyKeys("a", "b", "c");
    }

    @Test
    void aNodeThatServedAnotherVersionIsAvoidedByLaterChunks() {
        ReadBalancer b = balancer(8, "a", "b");
        ReadBalancer.SplitRead read = b.startSplitRead();
        read.avoid("a");
        assertThat(read(b, read, 20, 4)).containsOnlyKeys("b");
    }

    @Test
    void aNodeThatLeftTheReadSetGetsNoMoreChunks() {
        ReadBalancer b = balancer(4, "a", "b", "c");
        ReadBalancer.SplitRead read = b.startSplitRead();
        assertThat(read(b, read, 30, 6)).containsOnlyKeys("a", "b", "c");
        b.setReadSet(List.of("a", "c"));
        assertThat(read(b, read, 30, 6)).containsOnlyKeys("a", "c");
        b.setReadSet(List.of());
        assertThat(read.place(99)).isEmpty();
    }

    @Test
    void theSameSeedReplaysTheSamePlacement() {
        ReadBalancer x = balancer(99, "a", "b", "c", "d");
        ReadBalancer y = balancer(99, "a", "b", "c", "d");
        ReadBalancer.SplitRead rx = x.startSplitRead();
        ReadBalancer.SplitRead ry = y.startSplitRead();
        for (long c = 0; c < 100; c++) {
            String n = rx.place(c).orElseThrow();
            assertThat(ry.place(c)).contains(n);
            if (c % 7 == 3) {
                assertThat(ry.failed(c, n)).isEqualTo(rx.failed(c, n));
            }
            x.started(n);
            y.started(n);
        }
    }

    @Test
    void aStickyReadFailsOverOnceForChunksThatFailedOnTheNodeItLeft() {
        ReadBalancer b = balancer(5, "a", "b", "c");
        ReadBalancer.ChunkedRead read = b.startRead();
        String first = read.place(0).orElseThrow();
        assertThat(read.place(1)).contains(first);
        String second = read.failed(0, first).orElseThrow();
        assertThat(second).isNotEqualTo(first);
        // Chunk 1 was in flight on the first node too: it follows the read, it does not move it again.
        assertThat(read.failed(1, first)).contains(second);
        assertThat(read.place(2)).contains(second);
        read.avoid(second);
        String third = read.place(3).orElseThrow();
        assertThat(third).isNotIn(first, second);
    }
}
