package org.pohmelfs.placement;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.pohmelfs.cluster.ClusterMap;
import org.pohmelfs.cluster.Member;
import org.pohmelfs.cluster.MemberState;
import org.pohmelfs.placement.WriteFanOut.Ack;
import org.pohmelfs.placement.WriteFanOut.Decision;
import org.pohmelfs.placement.WriteFanOut.Pending;
import org.pohmelfs.placement.WriteFanOut.Unavailable;

/** Every combination of outcomes from three IN_SYNC and one RESYNCING member, in every arrival order. */
class WriteFanOutTest {
    private static final List<String> IDS = List.of("a", "b", "c", "r");

    private static ClusterMap map(String authority) {
        return new ClusterMap(4, List.of(new Member("a", "127.0.0.1", 1, MemberState.IN_SYNC),
                new Member("b", "127.0.0.1", 2, MemberState.IN_SYNC),
                new Member("x", "127.0.0.1", 9, MemberState.OUT),
                new Member("c", "127.0.0.1", 3, MemberState.IN_SYNC),
                new Member("r", "127.0.0.1", 4, MemberState.RESYNCING)), authority);
    }

    /** One node's outcome: a result ("OK" or "NO_SPACE"), "FAIL" (timeout or connection), or "-" (nothing yet). */
    private static final List<String> OUTCOMES = List.of("OK", "NO_SPACE", "FAIL", "-");

    /** The rule of design.md §4.2, written out for one case. */
    private static String expected(String authority, Map<String, String> o) {
        if (List.of("a", "b", "c").stream().anyMatch(n -> o.get(n).equals("-"))) {
            return "pending";
        }
        String ref = isResult(o.get(authority)) ? authority
                : List.of("a", "b", "c").stream().filter(n -> isResult(o.get(n))).findFirst().orElse(null);
        if (ref == null) {
            return "unavailable";
        }
        List<String> fence = new ArrayList<>();
        List<String> diverged = new ArrayList<>();
        for (String n : IDS) {
            boolean differs = isResult(o.get(n)) && !o.get(n).equals(o.get(ref));
            if (o.get(n).equals("FAIL") || differs && !n.equals("r")) {
                fence.add(n);
            } else if (differs) {
                diverged.add(n); // the RESYNCING member: its resync repairs it, a fence would open a gap
            }
        }
        return "ack " + o.get(ref) + " from " + ref + " fence " + fence + " diverged " + diverged;
    }

    private static boolean isResult(String s) {
        return s.equals("OK") || s.equals("NO_SPACE");
    }

    private static String describe(Decision<String> d) {
        return switch (d) {
            case Pending<String> p -> "pending";
            case Unavailable<String> u -> "unavailable";
            case Ack<String> a -> "ack " + a.reference() + " from " + a.referenceNode() + " fence "
                    + IDS.stream().filter(a.fenceFirst()::contains).toList() + " diverged "
                    + IDS.stream().filter(a.diverged()::contains).toList();
        };
    }

    @Test
    void everyCombinationInEveryOrder() {
        int cases = 0;
        for (String authority : List.of("a", "b", "c")) {
            for (int code = 0; code < 256; code++) {
                Map<String, String> o = Map.of("a", OUTCOMES.get(code & 3), "b", OUTCOMES.get(code >> 2 & 3),
                        "c", OUTCOMES.get(code >> 4 & 3), "r", OUTCOMES.get(code >> 6 & 3));
                String want = expected(authority, o);
                for (List<String> order : permutations(IDS)) {
                    WriteFanOut<String> f = new WriteFanOut<>(map(authority));
                    for (String n : order) {
                        switch (o.get(n)) {
                            case "FAIL" -> f.failed(n, "timeout");
                            case "-" -> { }
                            default -> f.replied(n, o.get(n));
                        }
                    }
                    assertThat(describe(f.decision())).as("authority %s, outcomes %s, order %s", authority, o, order)
                            .isEqualTo(want);
                    cases++;
                }
            }
        }
        assertThat(cases).isEqualTo(3 * 256 * 24);
    }

    @Test
    void theTargetsAreTheWriteSetInMapOrder() {
        assertThat(new WriteFanOut<String>(map("a")).targets()).containsExactly("a", "b", "c", "r");
        assertThatThrownBy(() -> new WriteFanOut<String>(map("a")).replied("x", "OK"))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aHungNodeIsFencedBeforeTheClientHearsAndAResyncingNodeIsNotWaitedFor() {
        WriteFanOut<String> f = new WriteFanOut<>(map("a"));
        assertThat(f.replied("a", "OK")).isEqualTo(new Pending<String>(Set.of("b", "c")));
        assertThat(f.replied("c", "OK")).isEqualTo(new Pending<String>(Set.of("b")));
        assertThat(f.failed("b", "timeout after 30s")).isEqualTo(new Ack<>("OK", "a", Set.of("b")));
        assertThat(f.late("r")).isFalse();
        f.replied("r", "NO_SPACE");
        assertThat(f.late("r")).as("a RESYNCING node that disagrees is left to its resync").isFalse();
        assertThat(f.decision()).isEqualTo(new Ack<>("OK", "a", Set.of("b"), Set.of("r")));
    }

    @Test
    void aResyncingNodeThatFailsIsFencedButOneThatDisagreesIsNot() {
        WriteFanOut<String> f = new WriteFanOut<>(map("a"));
        f.replied("r", "OK"); // an exclusive CREATE of a file it has not copied yet
        f.replied("a", "EXISTS");
        f.replied("b", "EXISTS");
        assertThat(f.replied("c", "EXISTS")).isEqualTo(new Ack<>("EXISTS", "a", Set.of(), Set.of("r")));
        WriteFanOut<String> g = new WriteFanOut<>(map("a"));
        g.failed("r", "connection refused for 500 ms");
        g.replied("a", "OK");
        g.replied("b", "OK");
        assertThat(g.replied("c", "OK")).isEqualTo(new Ack<>("OK", "a", Set.of("r"), Set.of()));
        assertThat(g.late("r")).isTrue();
    }

    @Test
    void whenTheAuthorityIsSilentTheFirstInSyncReplyInMapOrderIsTheReference() {
        WriteFanOut<String> f = new WriteFanOut<>(map("b"));
        f.replied("r", "OK");
        f.failed("b", "connection reset");
        f.replied("c", "NO_SPACE");
        f.replied("a", "OK");
        assertThat(f.decision()).isEqualTo(new Ack<>("OK", "a", Set.of("b", "c")));
    }

    @Test
    void aReplyAfterATimeoutCountsAndAgreementOnAnErrorIsTheAnswer() {
        WriteFanOut<String> f = new WriteFanOut<>(map("a"));
        f.replied("a", "NO_SPACE");
        f.failed("b", "timeout");
        f.replied("b", "NO_SPACE");
        f.replied("c", "NO_SPACE");
        assertThat(f.decision()).isEqualTo(new Ack<>("NO_SPACE", "a", Set.of()));
        assertThatThrownBy(() -> new WriteFanOut<String>(map("a")).late("r")).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void nobodyIsFencedWhenNoInSyncNodeAnswered() {
        WriteFanOut<String> f = new WriteFanOut<>(map("a"));
        f.replied("r", "OK");
        f.failed("a", "down");
        f.failed("b", "down");
        assertThat(f.failed("c", "down")).isEqualTo(new Unavailable<String>(Map.of("a", "down", "b", "down", "c", "down")));
    }

    private static List<List<String>> permutations(List<String> items) {
        if (items.isEmpty()) {
            return List.of(List.of());
        }
        List<List<String>> out = new ArrayList<>();
        for (String first : items) {
            List<String> rest = new ArrayList<>(items);
            rest.remove(first);
            for (List<String> p : permutations(rest)) {
                List<String> l = new ArrayList<>();
                l.add(first);
                l.addAll(p);
                out.add(l);
            }
        }
        assertThat(new LinkedHashSet<>(out)).hasSize(out.size());
        return out;
    }
}
