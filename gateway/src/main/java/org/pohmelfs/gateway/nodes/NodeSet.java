package org.pohmelfs.gateway.nodes;

import java.time.Duration;
import java.util.List;
import org.pohmelfs.client.NodeClient;
import org.pohmelfs.client.NodeException;
import org.pohmelfs.protocol.Command;
import org.pohmelfs.protocol.Message;
import reactor.core.publisher.Mono;
import reactor.util.retry.Retry;

/**
 * The storage nodes a gateway talks to, behind one interface: the file service asks it to run
 * transactions and does not know how many nodes there are.
 *
 * <p>Now: every transaction goes to the first node of the list (the primary). A transaction
 * whose connection is lost is resent with the same transaction id, so the node answers a
 * resend from its reply cache and never applies it twice. Mirroring to every in-sync node and
 * balancing reads come with the replication issue, behind these same two methods.
 */
public final class NodeSet implements AutoCloseable {
    private static final int RESENDS = 3;

    private final NodeClient client;
    private final List<NodeLink> links;

    public NodeSet(NodeClient client, List<NodeLink> links) {
        if (links.isEmpty()) {
            throw new IllegalArgumentException("at least one storage node must be configured");
        }
        this.client = client;
        this.links = List.copyOf(links);
    }

    public List<NodeLink> links() {
        return links;
    }

    /** Runs a transaction that may change the export. */
    public Mono<Message.Reply> write(List<Command> commands) {
        return send(commands);
    }

    /** Whether the primary node negotiated {@code feature} in its handshake. */
    public Mono<Boolean> supports(String feature) {
        return links.getFirst().connection().map(c -> c.welcome().features().contains(feature));
    }

    /** Runs a transaction that only reads. */
    public Mono<Message.Reply> read(List<Command> commands) {
        return send(commands);
    }

    private Mono<Message.Reply> send(List<Command> commands) {
        Message.Request request = new Message.Request(client.newTxid(), 0, commands);
        NodeLink primary = links.getFirst();
        return Mono.defer(() -> primary.send(request))
                .retryWhen(Retry.backoff(RESENDS, Duration.ofMillis(50))
                        .filter(e -> e instanceof NodeException.ConnectionLost)
                        .onRetryExhaustedThrow((spec, signal) -> signal.failure()));
    }

    @Override
    public void close() {
        links.forEach(NodeLink::close);
    }
}
