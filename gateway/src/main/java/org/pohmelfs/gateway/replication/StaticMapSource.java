package org.pohmelfs.gateway.replication;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.Set;
import org.pohmelfs.cluster.ClusterMap;
import org.pohmelfs.cluster.Member;
import org.pohmelfs.cluster.MemberState;

/**
 * A map of {@code pohmelfs.gateway.nodes} without ZooKeeper: every node IN_SYNC, the first the
 * lock authority, member ids the addresses. It never changes and cannot fence, so requests
 * carry epoch 0 (unfenced) and a write that fails on any node is an error to the client (503).
 */
public final class StaticMapSource extends MapSource {
    public StaticMapSource(List<InetSocketAddress> nodes) {
        offer(ClusterMap.bootstrap(nodes.stream()
                .map(a -> new Member(a.getHostString() + ":" + a.getPort(), a.getHostString(), a.getPort(),
                        MemberState.IN_SYNC))
                .toList()));
    }

    @Override
    public long wireEpoch(ClusterMap map) {
        return 0;
    }

    @Override
    public boolean canFence() {
        return false;
    }

    @Override
    public ClusterMap fence(Set<String> nodes) {
        throw new UnsupportedOperationException("a static node list cannot fence");
    }

    @Override
    public ClusterMap refresh() {
        return current().orElseThrow();
    }

    @Override
    public ClusterMap change(java.util.function.UnaryOperator<ClusterMap> change) {
        throw new ChangeUnsupported("the gateway runs on a static node list (pohmelfs.gateway.nodes) without ZooKeeper: "
                + "its membership cannot change at run time");
    }

    @Override
    public java.util.Optional<Set<String>> liveNodes() {
        return java.util.Optional.empty();
    }

    @Override
    public List<org.pohmelfs.cluster.ResyncProgress> progress() {
        return List.of();
    }

    @Override
    public void close() {
    }
}
