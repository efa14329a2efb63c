package org.pohmelfs.gateway.replication;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.pohmelfs.protocol.NodeInfo;

/** The group's usage from its IN_SYNC members' own figures. */
class ClusterUsageTest {
    @Test
    void aWriteMustFitOnTheSmallestMember() {
        NodeInfo big = new NodeInfo(1000, 100, 900, 10, 0, false);
        NodeInfo small = new NodeInfo(300, 120, 180, 11, 300, false);
        NodeInfo limited = new NodeInfo(1000, 90, 410, 9, 500, false);
        assertThat(ClusterUsage.of(List.of(big, small, limited))).isEqualTo(new NodeInfo(300, 120, 180, 11, 300, false));
        assertThat(ClusterUsage.of(List.of(big, limited))).isEqualTo(new NodeInfo(1000, 100, 410, 10, 500, false));
    }

    @Test
    void oneMemberIsItsOwnFiguresAndReadOnlyIsContagious() {
        NodeInfo one = new NodeInfo(1000, 100, 900, 10, 0, false);
        assertThat(ClusterUsage.of(List.of(one))).isEqualTo(one);
        NodeInfo ro = new NodeInfo(2000, 100, 1900, 10, 0, true);
        assertThat(ClusterUsage.of(List.of(one, ro)).readOnly()).isTrue();
        assertThat(ClusterUsage.of(List.of(one, ro)).sizeLimitBytes()).as("no limit set anywhere").isZero();
        assertThatThrownBy(() -> ClusterUsage.of(List.of())).isInstanceOf(IllegalArgumentException.class);
    }
}
