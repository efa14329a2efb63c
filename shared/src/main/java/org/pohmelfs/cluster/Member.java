package org.pohmelfs.cluster;

import java.util.Objects;

/**
 * One storage node in the cluster map.
 *
 * @param id    the node's identity, as in its WELCOME ({@code pohmelfs.node.id}); not blank
 * @param host  the host of its native protocol address
 * @param port  the port of its native protocol address, 1..65535
 * @param state its standing
 */
public record Member(String id, String host, int port, MemberState state) {
    public Member {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(state, "state");
        if (id.isBlank() || host.isBlank()) {
            throw new IllegalArgumentException("member id and host must not be blank");
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port out of range: " + port);
        }
    }

    /** {@code host:port}, the form the gateway's node list uses. */
    public String address() {
        return host + ":" + port;
    }

    Member withState(MemberState next) {
        return new Member(id, host, port, next);
    }
}
