package org.pohmelfs.cluster;

import java.util.Objects;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * How far one storage node's resync has come (design.md §5): what the node publishes for the
 * admin API, the command line and dashboards while it catches up from an IN_SYNC peer.
 *
 * <p>Stored form (UTF-8 JSON, the content of {@code /pohmelfs/<cluster>/resync/<node>}):
 * <pre>
 * {"format":1,"node":"node3","phase":"COPYING","source":"node1","objectsDone":120,"objectsLeft":880,
 *  "bytesDone":1048576,"bytesLeft":9437184,"startedAt":1764400000000,"updatedAt":1764400004000}
 * </pre>
 * Times are milliseconds since the epoch. "Left" figures are the node's current estimate and
 * may grow while the pass discovers work (live writes, a tree walk). {@link #decode} ignores
 * fields it does not know.
 *
 * @param node       the resyncing node's id
 * @param phase      where the pass is
 * @param source     the IN_SYNC peer it copies from ("" when none is chosen yet)
 * @param objectsDone objects copied or deleted so far
 * @param objectsLeft objects known to be left
 * @param bytesDone  content bytes copied so far
 * @param bytesLeft  content bytes known to be left
 * @param startedAt  when this resync began
 * @param updatedAt  when these figures were taken
 */
public record ResyncProgress(String node, Phase phase, String source, long objectsDone, long objectsLeft,
        long bytesDone, long bytesLeft, long startedAt, long updatedAt) {

    /** The steps of a resync, in order. */
    public enum Phase {
        /** Waiting for a source, or for the map to say RESYNCING. */
        STARTING,
        /** Asking the source what changed since the node left (change log), or walking the tree. */
        PLANNING,
        /** Copying and deleting objects. */
        COPYING,
        /** Nothing left: compare-and-setting the map to IN_SYNC. */
        JOINING,
        /** In sync again. */
        DONE,
        /** Stopped by an error; the node retries. */
        FAILED
    }

    /** The format this class writes. */
    public static final int FORMAT = 1;

    private static final JsonMapper JSON = JsonMapper.builder().build();

    public ResyncProgress {
        Objects.requireNonNull(node, "node");
        Objects.requireNonNull(phase, "phase");
        Objects.requireNonNull(source, "source");
        if (objectsDone < 0 || objectsLeft < 0 || bytesDone < 0 || bytesLeft < 0) {
            throw new IllegalArgumentException("resync progress: negative count");
        }
    }

    /** Done as a fraction of done + left, by bytes when there are any, else by objects; 1 when nothing is known to be left. */
    public double fraction() {
        long bytes = bytesDone + bytesLeft;
        if (bytes > 0) {
            return (double) bytesDone / bytes;
        }
        long objects = objectsDone + objectsLeft;
        return objects == 0 ? 1.0 : (double) objectsDone / objects;
    }

    public byte[] encode() {
        ObjectNode root = JSON.createObjectNode();
        root.put("format", FORMAT);
        root.put("node", node);
        root.put("phase", phase.name());
        root.put("source", source);
        root.put("objectsDone", objectsDone);
        root.put("objectsLeft", objectsLeft);
        root.put("bytesDone", bytesDone);
        root.put("bytesLeft", bytesLeft);
        root.put("startedAt", startedAt);
        root.put("updatedAt", updatedAt);
        return JSON.writeValueAsBytes(root);
    }

    public static ResyncProgress decode(byte[] json) {
        try {
            JsonNode root = JSON.readTree(json);
            if (root == null || !root.isObject()) {
                throw new IllegalArgumentException("resync progress: not a JSON object");
            }
            long format = integral(root, "format");
            if (format != FORMAT) {
                throw new IllegalArgumentException("resync progress: format " + format + " is not " + FORMAT);
            }
            Phase phase;
            try {
                phase = Phase.valueOf(text(root, "phase"));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("resync progress: unknown phase " + root.get("phase"), e);
            }
            return new ResyncProgress(text(root, "node"), phase, text(root, "source"),
                    integral(root, "objectsDone"), integral(root, "objectsLeft"),
                    integral(root, "bytesDone"), integral(root, "bytesLeft"),
                    integral(root, "startedAt"), integral(root, "updatedAt"));
        } catch (JacksonException e) {
            throw new IllegalArgumentException("resync progress: " + e.getOriginalMessage(), e);
        }
    }

    private static long integral(JsonNode node, String field) {
        JsonNode v = node.required(field);
        if (!v.isIntegralNumber() || !v.canConvertToLong()) {
            throw new IllegalArgumentException("resync progress: " + field + " is not an integer");
        }
        return v.longValue();
    }

    private static String text(JsonNode node, String field) {
        JsonNode v = node.required(field);
        if (!v.isString()) {
            throw new IllegalArgumentException("resync progress: " + field + " is not a string");
        }
        return v.stringValue();
    }
}
