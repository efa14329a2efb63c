package org.pohmelfs.node.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.pohmelfs.cluster.ClusterMap;
import org.pohmelfs.cluster.Member;
import org.pohmelfs.cluster.MemberState;
import org.pohmelfs.placement.ReplyForm;

class ForwardPlanTest {
    private static final ClusterMap MAP = ClusterMap.bootstrap(List.of(
            new Member("n1", "127.0.0.1", 1, MemberState.IN_SYNC),
            new Member("n2", "127.0.0.1", 2, MemberState.IN_SYNC),
            new Member("n3", "127.0.0.1", 3, MemberState.IN_SYNC),
            new Member("n4", "127.0.0.1", 4, MemberState.IN_SYNC))).fence("n4").resync("n4");

    @Test
    void anInSyncNodeForwardsToTheOtherInSyncMembersOnly() {
        assertThat(ForwardPlan.targets(MAP, "n1")).isInstanceOfSatisfying(ForwardPlan.Targets.Forward.class,
                f -> assertThat(f.members()).extracting(Member::id).containsExactly("n2", "n3"));
        assertThat(ForwardPlan.targets(MAP, "n4")).isInstanceOf(ForwardPlan.Targets.Skip.class);
        assertThat(ForwardPlan.targets(MAP.fence("n1"), "n1")).isInstanceOf(ForwardPlan.Targets.Skip.class);
        assertThat(ForwardPlan.targets(MAP, "n9")).isInstanceOf(ForwardPlan.Targets.Skip.class);
    }

    @Test
    void membersThatFailedDisagreedOrNeverAnsweredAreFenced() {
        ReplyForm ours = new ReplyForm(List.of("attrs FILE 4 77"));
        List<Member> targets = ((ForwardPlan.Targets.Forward) ForwardPlan.targets(MAP, "n1")).members();
        assertThat(ForwardPlan.toFence(targets, ours, Map.of("n2", ours, "n3", ours), Set.of())).isEmpty();
        assertThat(ForwardPlan.toFence(targets, ours, Map.of("n2", ours, "n3",
                new ReplyForm(List.of("error NO_SPACE"))), Set.of())).containsExactly("n3");
        assertThat(ForwardPlan.toFence(targets, ours, Map.of("n3", ours), Set.of("n2"))).containsExactly("n2");
        assertThat(ForwardPlan.toFence(targets, ours, Map.of(), Set.of())).containsExactly("n2", "n3");
    }

    @Test
    void fencingSkipsMembersAlreadyOutOrGone() {
        ClusterMap after = ForwardPlan.fence(MAP, Set.of("n2", "n4", "n9"));
        assertThat(after.member("n2").orElseThrow().state()).isEqualTo(MemberState.OUT);
        assertThat(after.member("n4").orElseThrow().state()).isEqualTo(MemberState.RESYNCING);
        assertThat(after.epoch()).isEqualTo(MAP.epoch() + 1);
        assertThat(ForwardPlan.fence(MAP, Set.of("n9"))).isSameAs(MAP);
    }
}
