package org.pohmelfs.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.pohmelfs.cluster.MemberState.IN_SYNC;
import static org.pohmelfs.cluster.MemberState.OUT;
import static org.pohmelfs.cluster.MemberState.RESYNCING;

import java.util.ArrayList;
import java.util.List;
import java.util.function.BiFunction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Every transition from every member state, the refusals, and authority moves. */
class ClusterMapTest {
    private static Member m(String id, int port, MemberState s) {
        return new Member(id, "127.0.0.1", port, s);
    }

    /** a IN_SYNC (authority), b in {@code bState}, c IN_SYNC, at epoch 5. */
    private static ClusterMap withB(MemberState bState) {
        return new ClusterMap(5, List.of(m("a", 7070, IN_SYNC), m("b", 7071, bState), m("c", 7072, IN_SYNC)), "a");
    }

    enum Op {
        FENCE(ClusterMap::fence), RESYNC(ClusterMap::resync), PROMOTE(ClusterMap::promote),
        REMOVE(ClusterMap::remove), HAND_AUTHORITY(ClusterMap::handAuthorityTo);

        final BiFunction<ClusterMap, String, ClusterMap> apply;

        Op(BiFunction<ClusterMap, String, ClusterMap> apply) {
            this.apply = apply;
        }
    }

    /** What each transition does to b in each state: the new state, "same" (unchanged map), "gone", or a refusal. */
    private static String expected(Op op, MemberState from) {
        return switch (op) {
            case FENCE -> from == OUT ? "same" : "OUT";
            case RESYNC -> switch (from) {
                case IN_SYNC -> "WRONG_STATE";
                case RESYNCING -> "same";
                case OUT -> "RESYNCING";
            };
            case PROMOTE -> switch (from) {
                case IN_SYNC -> "same";
                case RESYNCING -> "IN_SYNC";
                case OUT -> "WRONG_STATE";
            };
            case REMOVE -> "gone";
            case HAND_AUTHORITY -> from == IN_SYNC ? "authority" : "WRONG_STATE";
        };
    }

    @Test
    void everyTransitionFromEveryState() {
        List<String> table = new ArrayList<>();
        for (Op op : Op.values()) {
            for (MemberState from : MemberState.values()) {
                ClusterMap before = withB(from);
                String outcome;
                try {
                    ClusterMap after = op.apply.apply(before, "b");
                    if (after == before) {
                        outcome = "same";
                    } else {
                        assertThat(after.epoch()).isEqualTo(before.epoch() + 1);
                        outcome = after.member("b").map(b -> b.state().name()).orElse("gone");
                        if (!after.authority().equals(before.authority())) {
                            outcome = after.authority().equals("b") ? "authority" : "moved";
                        }
                        List<Member> others = after.members().stream().filter(x -> !x.id().equals("b")).toList();
                        assertThat(others).containsExactly(before.members().get(0), before.members().get(2));
                    }
                } catch (MapChangeRefused e) {
                    outcome = e.reason().name();
                }
                table.add(op + " " + from + " -> " + outcome);
                assertThat(outcome).as(op + " from " + from).isEqualTo(expected(op, from));
            }
        }
        assertThat(table).hasSize(15);
    }

    @Test
    void unknownMemberIsRefusedByEveryTransition() {
        for (Op op : Op.values()) {
            assertThatThrownBy(() -> op.apply.apply(withB(IN_SYNC), "zz"))
                    .isInstanceOfSatisfying(MapChangeRefused.class,
                            e -> assertThat(e.reason()).isEqualTo(MapChangeRefused.Reason.UNKNOWN_MEMBER));
        }
    }

    @ParameterizedTest
    @EnumSource(value = MemberState.class, names = {"RESYNCING", "OUT"})
    void theLastInSyncMemberCannotBeFencedNorRemoved(MemberState other) {
        ClusterMap map = new ClusterMap(3, List.of(m("a", 7070, IN_SYNC), m("b", 7071, other)), "a");
        assertThatThrownBy(() -> map.fence("a")).isInstanceOfSatisfying(MapChangeRefused.class,
                e -> assertThat(e.reason()).isEqualTo(MapChangeRefused.Reason.LAST_IN_SYNC));
        assertThatThrownBy(() -> map.remove("a")).isInstanceOfSatisfying(MapChangeRefused.class,
                e -> assertThat(e.reason()).isEqualTo(MapChangeRefused.Reason.LAST_IN_SYNC));
        assertThat(map.fence("b").member("b").orElseThrow().state()).isEqualTo(OUT);
        assertThat(map.remove("b").members()).extracting(Member::id).containsExactly("a");
    }

    @Test
    void fencingTheAuthorityMovesItToTheFirstInSyncMemberInMapOrder() {
        ClusterMap map = new ClusterMap(9, List.of(m("a", 1, RESYNCING), m("b", 2, IN_SYNC), m("c", 3, IN_SYNC),
                m("d", 4, IN_SYNC)), "c");
        ClusterMap fenced = map.fence("c");
        assertThat(fenced.authority()).isEqualTo("b");
        assertThat(fenced.epoch()).isEqualTo(10);
        assertThat(map.remove("c").authority()).isEqualTo("b");
    }

    @Test
    void theAuthorityStaysPutWhileItIsInSync() {
        ClusterMap map = new ClusterMap(2, List.of(m("a", 1, RESYNCING), m("b", 2, IN_SYNC)), "b");
        ClusterMap promoted = map.promote("a");
        assertThat(promoted.authority()).isEqualTo("b");
        assertThat(promoted.handAuthorityTo("a").authority()).isEqualTo("a");
        assertThat(promoted.handAuthorityTo("b")).isSameAs(promoted);
    }

    @Test
    void addAppendsAResyncingMemberAndRefusesDuplicates() {
        ClusterMap map = ClusterMap.bootstrap(List.of(m("a", 7070, OUT), m("b", 7071, RESYNCING)));
        assertThat(map.epoch()).isEqualTo(1);
        assertThat(map.readSet()).extracting(Member::id).containsExactly("a", "b");
        assertThat(map.authority()).isEqualTo("a");
        ClusterMap added = map.add("c", "127.0.0.1", 7072);
        assertThat(added.epoch()).isEqualTo(2);
        assertThat(added.members().getLast()).isEqualTo(m("c", 7072, RESYNCING));
        assertThat(added.writeSet()).extracting(Member::id).containsExactly("a", "b", "c");
        assertThat(added.readSet()).extracting(Member::id).containsExactly("a", "b");
        assertThatThrownBy(() -> added.add("c", "127.0.0.2", 7072)).isInstanceOfSatisfying(MapChangeRefused.class,
                e -> assertThat(e.reason()).isEqualTo(MapChangeRefused.Reason.DUPLICATE_MEMBER));
        assertThatThrownBy(() -> added.add("d", "127.0.0.1", 7071)).isInstanceOfSatisfying(MapChangeRefused.class,
                e -> assertThat(e.reason()).isEqualTo(MapChangeRefused.Reason.DUPLICATE_MEMBER));
    }

    @Test
    void aMapThatBreaksAnInvariantCannotBeBuilt() {
        assertThatThrownBy(() -> new ClusterMap(0, List.of(m("a", 1, IN_SYNC)), "a"))
                .hasMessageContaining("epoch");
        assertThatThrownBy(() -> new ClusterMap(1, List.of(m("a", 1, OUT)), "a"))
                .hasMessageContaining("no IN_SYNC");
        assertThatThrownBy(() -> new ClusterMap(1, List.of(m("a", 1, IN_SYNC), m("b", 2, RESYNCING)), "b"))
                .hasMessageContaining("authority");
        assertThatThrownBy(() -> new ClusterMap(1, List.of(m("a", 1, IN_SYNC)), "x"))
                .hasMessageContaining("authority");
        assertThatThrownBy(() -> new ClusterMap(1, List.of(m("a", 1, IN_SYNC), m("a", 2, IN_SYNC)), "a"))
                .hasMessageContaining("two members with id");
        assertThatThrownBy(() -> new ClusterMap(1, List.of(m("a", 1, IN_SYNC), m("b", 1, IN_SYNC)), "a"))
                .hasMessageContaining("two members at");
        assertThatThrownBy(() -> ClusterMap.bootstrap(List.of())).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Member("a", "h", 0, IN_SYNC)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Member(" ", "h", 1, IN_SYNC)).isInstanceOf(IllegalArgumentException.class);
    }
}
