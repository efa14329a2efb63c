package org.pohmelfs.node.config;

import org.pohmelfs.node.server.RequestExecutor;
import org.pohmelfs.node.txn.TransactionManager;
import org.pohmelfs.protocol.Message;
import org.pohmelfs.protocol.NodeInfo;

/** Serves the native protocol from a {@link TransactionManager}: the server's view of the store. */
public record TransactionExecutor(TransactionManager transactions) implements RequestExecutor {
    @Override
    public Message.Reply execute(Peer peer, Message.Request request) {
        return transactions.apply(peer.id(), peer.incarnation(), request);
    }

    @Override
    public Executed executeTracked(Peer peer, Message.Request request) {
        TransactionManager.Applied a = transactions.applyTracked(peer.id(), peer.incarnation(), request);
        return new Executed(a.reply(), a.cached());
    }

    @Override
    public NodeInfo info() {
        return transactions.info();
    }

    @Override
    public java.util.Set<String> features() {
        return transactions.unstableWrites() ? java.util.Set.of(org.pohmelfs.protocol.Opcodes.FEATURE_UNSTABLE)
                : java.util.Set.of();
    }
}
