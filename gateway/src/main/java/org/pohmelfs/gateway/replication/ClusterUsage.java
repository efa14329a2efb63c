package org.pohmelfs.gateway.replication;

import java.util.List;
import org.pohmelfs.protocol.NodeInfo;

/**
 * The usage figures of a replica group from its IN_SYNC members' own (design.md §4.1): every
 * member stores everything, so a write must fit on each of them. Pure.
 *
 * <ul>
 *   <li>available: the least any member has left;</li>
 *   <li>capacity: the least capacity;</li>
 *   <li>used and objects: the most any member holds (in sync, they hold the same);</li>
 *   <li>size limit: the smallest limit set (0 when no member has one);</li>
 *   <li>read-only: when any member is.</li>
 * </ul>
 */
public final class ClusterUsage {
    private ClusterUsage() {
    }

    /** The group's figures from those of its members; at least one. */
    public static NodeInfo of(List<NodeInfo> members) {
        if (members.isEmpty()) {
            throw new IllegalArgumentException("no member's usage");
        }
        long capacity = Long.MAX_VALUE;
        long available = Long.MAX_VALUE;
        long used = 0;
        long objects = 0;
        long limit = 0;
        boolean readOnly = false;
        for (NodeInfo i : members) {
            capacity = Math.min(capacity, i.capacityBytes());
            available = Math.min(available, i.availableBytes());
            used = Math.max(used, i.usedBytes());
            objects = Math.max(objects, i.objectCount());
            if (i.sizeLimitBytes() > 0) {
                limit = limit == 0 ? i.sizeLimitBytes() : Math.min(limit, i.sizeLimitBytes());
            }
            readOnly |= i.readOnly();
        }
        return new NodeInfo(capacity, used, available, objects, limit, readOnly);
    }
}
