package org.pohmelfs.gateway.admin;

import java.util.List;
import org.pohmelfs.cluster.ResyncProgress;
import org.pohmelfs.protocol.NodeInfo;

/** The JSON shapes of the admin API (docs/admin.md); the command line reads the same. */
public final class AdminViews {
    private AdminViews() {
    }

    /**
     * The membership: the map's epoch and authority, whether it can change at run time (false
     * for a static node list), and every member in map order.
     */
    public record Nodes(long epoch, String authority, boolean changeable, List<Node> nodes) {
    }

    /**
     * One member. {@code live}: registered live in ZooKeeper (null when there is no ZooKeeper);
     * {@code usage}: its own STATFS figures (null when it did not answer, {@code usageError} says
     * why); {@code resync}: the progress it publishes (null when none).
     */
    public record Node(String id, String address, String state, boolean authority, Boolean live, Usage usage,
                       String usageError, Progress resync) {
    }

    /** A node's STATFS figures. */
    public record Usage(long capacityBytes, long usedBytes, long availableBytes, long objects, long sizeLimitBytes,
                        boolean readOnly) {
        static Usage of(NodeInfo i) {
            return new Usage(i.capacityBytes(), i.usedBytes(), i.availableBytes(), i.objectCount(), i.sizeLimitBytes(),
                    i.readOnly());
        }
    }

    /** A resync's progress ({@link ResyncProgress}); times in milliseconds since the epoch. */
    public record Progress(String phase, String source, long objectsDone, long objectsLeft, long bytesDone,
                           long bytesLeft, long startedAt, long updatedAt, double fraction) {
        public static Progress of(ResyncProgress p) {
            return new Progress(p.phase().name(), p.source(), p.objectsDone(), p.objectsLeft(), p.bytesDone(),
                    p.bytesLeft(), p.startedAt(), p.updatedAt(), p.fraction());
        }
    }

    /** The body of {@code POST /admin/v1/nodes}: a new member's id and native-protocol address. */
    public record NewNode(String id, String address) {
    }

    /**
     * What a removal did: the map epoch afterwards, the authority then, whether the authority
     * was handed over first, and whether this gateway's in-flight writes to the node drained
     * before the answer.
     */
    public record Removed(String id, long epoch, String authority, boolean authorityHandedOver, boolean drained) {
    }
}
