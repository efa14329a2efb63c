package org.pohmelfs.gateway.nodes;

import java.util.List;
import java.util.function.Predicate;
import org.pohmelfs.gateway.replication.Replicas;
import org.pohmelfs.protocol.Command;
import org.pohmelfs.protocol.Message;
import reactor.core.publisher.Mono;

/**
 * The storage nodes a gateway talks to, behind one interface: the file service asks it to run
 * transactions and does not know how many nodes there are.
 *
 * <p>A mutating transaction goes to every in-sync node with one transaction id (resends are
 * answered from the nodes' reply caches, never applied twice); a read goes to the lock
 * authority, or, when the caller can check the reply, to any in-sync node. The replication
 * itself is {@link Replicas} (design.md §4).
 */
public final class NodeSet implements AutoCloseable {
    private final Replicas replicas;

    public NodeSet(Replicas replicas) {
        this.replicas = replicas;
    }

    public Replicas replicas() {
        return replicas;
    }

    /** Runs a transaction that may change the export, on every in-sync node. */
    public Mono<Message.Reply> write(List<Command> commands) {
        return replicas.write(commands);
    }

    /** Whether the lock authority negotiated {@code feature} in its handshake. */
    public Mono<Boolean> supports(String feature) {
        return replicas.supports(feature);
    }

    /** Runs a transaction that only reads, on the lock authority (another node when it fails). */
    public Mono<Message.Reply> read(List<Command> commands) {
        return replicas.read(commands);
    }

    /**
     * Runs a read on any in-sync node; a reply that {@code trusted} rejects (another version
     * than the one the caller holds) is read again from the lock authority.
     */
    public Mono<Message.Reply> readChecked(List<Command> commands, Predicate<Message.Reply> trusted) {
        return replicas.readChecked(commands, trusted);
    }

    /**
     * Starts a read of several chunks, each checked like {@link #readChecked}: spread over the
     * in-sync nodes (split reads) or on one node (design.md §4.3).
     */
    public Replicas.ChunkedReader chunkedRead() {
        return replicas.chunkedRead();
    }

    /** Capacity and usage of the replica group, from its IN_SYNC members. */
    public Mono<org.pohmelfs.protocol.NodeInfo> usage() {
        return replicas.usage();
    }

    @Override
    public void close() {
        replicas.close();
    }
}
