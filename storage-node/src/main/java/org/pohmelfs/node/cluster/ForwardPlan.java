package org.pohmelfs.node.cluster;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.pohmelfs.cluster.ClusterMap;
import org.pohmelfs.cluster.Member;
import org.pohmelfs.cluster.MemberState;
import org.pohmelfs.placement.ReplyForm;

/**
 * What a node does with a held write whose hold ended without UNHOLD (design.md §4.7): whom it
 * forwards the write to, and whom it fences afterwards. Pure; the I/O is {@link HoldForwarder}'s.
 */
public final class ForwardPlan {
    private ForwardPlan() {
    }

    /** Whom to send a held write to, under a map. */
    public sealed interface Targets {
        /** Every other IN_SYNC member, in map order (possibly none). */
        record Forward(List<Member> members) implements Targets {
        }

        /** Nothing to forward: this node is not IN_SYNC in the map (it resyncs from the others). */
        record Skip(String reason) implements Targets {
        }
    }

    /**
     * The other IN_SYNC members of {@code map} when {@code self} is IN_SYNC in it. A node that is
     * OUT or RESYNCING, or no longer listed, forwards nothing: it is not a source the others may
     * copy from, and its resync replaces what it applied.
     */
    public static Targets targets(ClusterMap map, String self) {
        MemberState mine = map.member(self).map(Member::state).orElse(null);
        if (mine != MemberState.IN_SYNC) {
            return new Targets.Skip("this node is " + (mine == null ? "not in the map" : mine) + " at epoch "
                    + map.epoch());
        }
        return new Targets.Forward(map.inState(MemberState.IN_SYNC).stream().filter(m -> !m.id().equals(self)).toList());
    }

    /**
     * The members to fence: those in {@code failed}, and those whose reply's form differs from
     * {@code reference} (this node's own reply to the write). Map order of {@code targets}.
     */
    public static Set<String> toFence(List<Member> targets, ReplyForm reference, Map<String, ReplyForm> replied,
                                      Set<String> failed) {
        Set<String> out = new LinkedHashSet<>();
        for (Member m : targets) {
            ReplyForm r = replied.get(m.id());
            if (failed.contains(m.id()) || r == null || !r.equals(reference)) {
                out.add(m.id());
            }
        }
        return out;
    }

    /**
     * {@code map} with every member of {@code ids} that is still IN_SYNC fenced (OUT). Members
     * removed or fenced meanwhile are left as they are; the map is returned unchanged when none is left.
     */
    public static ClusterMap fence(ClusterMap map, Set<String> ids) {
        ClusterMap next = map;
        for (String id : ids) {
            if (next.member(id).map(m -> m.state() == MemberState.IN_SYNC).orElse(false)) {
                next = next.fence(id);
            }
        }
        return next;
    }
}
