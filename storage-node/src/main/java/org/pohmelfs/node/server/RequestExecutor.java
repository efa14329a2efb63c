package org.pohmelfs.node.server;

import org.pohmelfs.protocol.Message;
import org.pohmelfs.protocol.NodeInfo;

/** What the server needs from the store: apply a transaction, report the export. */
public interface RequestExecutor {

    /**
     * Applies one transaction and returns its reply. Blocking, thread-safe; never throws for a
     * failed command (that is a Result.Error in the reply).
     *
     * @param peer the client as it introduced itself in HELLO
     */
    Message.Reply execute(Peer peer, Message.Request request);

    /**
     * As {@link #execute}, telling whether the reply came from the reply cache (a resend whose
     * transaction had run already: nothing ran now). Executors without a reply cache say false.
     */
    default Executed executeTracked(Peer peer, Message.Request request) {
        return new Executed(execute(peer, request), false);
    }

    /** A reply, and whether the node's reply cache gave it. */
    record Executed(Message.Reply reply, boolean cached) {
    }

    /** Capacity, usage and mode of the export now. */
    NodeInfo info();

    /** Optional protocol features the store itself offers (for example {@code unstable}). */
    default java.util.Set<String> features() {
        return java.util.Set.of();
    }

    /** A connected client, as named in its HELLO. */
    record Peer(String id, long incarnation, String address) {
    }
}
