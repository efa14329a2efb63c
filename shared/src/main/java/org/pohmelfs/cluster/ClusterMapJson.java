package org.pohmelfs.cluster;

import java.util.ArrayList;
import java.util.List;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The stored form of a {@link ClusterMap}: UTF-8 JSON, the content of the map znode.
 *
 * <pre>
 * {"format":1,"epoch":7,"authority":"node1","members":[
 *   {"id":"node1","host":"127.0.0.1","port":7070,"state":"IN_SYNC"}, ...]}
 * </pre>
 *
 * <p>Contract: {@link #encode} writes the fields in exactly this order with no white space,
 * so equal maps give equal bytes ({@code src/test/resources/cluster/} holds fixtures).
 * {@link #decode} accepts format 1, ignores fields it does not know (a later writer may add
 * optional ones without a new format number), and refuses any other format, a missing or
 * mistyped field, or a map that breaks the invariants, with {@link IllegalArgumentException}.
 * A change that an older reader must not misread gets a new format number.
 */
public final class ClusterMapJson {
    /** The format this class writes. */
    public static final int FORMAT = 1;

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private ClusterMapJson() {
    }

    public static byte[] encode(ClusterMap map) {
        ObjectNode root = JSON.createObjectNode();
        root.put("format", FORMAT);
        root.put("epoch", map.epoch());
        root.put("authority", map.authority());
        ArrayNode members = root.putArray("members");
        for (Member m : map.members()) {
            members.addObject()
                    .put("id", m.id())
                    .put("host", m.host())
                    .put("port", m.port())
                    .put("state", m.state().name());
        }
        return JSON.writeValueAsBytes(root);
    }

    public static ClusterMap decode(byte[] json) {
        try {
            JsonNode root = JSON.readTree(json);
            if (root == null || !root.isObject()) {
                throw new IllegalArgumentException("cluster map: not a JSON object");
            }
            int format = integral(root, "format").intValue();
            if (format != FORMAT) {
                throw new IllegalArgumentException("cluster map: format " + format + " is not " + FORMAT);
            }
            JsonNode list = root.required("members");
            if (!list.isArray()) {
                throw new IllegalArgumentException("cluster map: members is not an array");
            }
            List<Member> members = new ArrayList<>();
            for (JsonNode m : list) {
                members.add(new Member(text(m, "id"), text(m, "host"), integral(m, "port").intValue(),
                        MemberState.valueOf(text(m, "state"))));
            }
            return new ClusterMap(integral(root, "epoch").longValue(), members, text(root, "authority"));
        } catch (JacksonException e) {
            throw new IllegalArgumentException("cluster map: " + e.getOriginalMessage(), e);
        }
    }

    private static JsonNode integral(JsonNode node, String field) {
        JsonNode v = node.required(field);
        if (!v.isIntegralNumber() || !v.canConvertToLong()) {
            throw new IllegalArgumentException("cluster map: " + field + " is not an integer");
        }
        return v;
    }

    private static String text(JsonNode node, String field) {
        JsonNode v = node.required(field);
        if (!v.isString()) {
            throw new IllegalArgumentException("cluster map: " + field + " is not a string");
        }
        return v.stringValue();
    }
}
