package org.pohmelfs.client;

import io.netty.channel.Channel;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.pohmelfs.protocol.Command;
import org.pohmelfs.protocol.Message;
import org.pohmelfs.protocol.NodeInfo;

/**
 * One open, handshaken connection to a storage node. Thread-safe: any number of transactions
 * may be in flight at once; each completes when its reply arrives, in any order.
 */
public final class NodeConnection implements AutoCloseable {
    /** Room left in a frame for headers and a path when a chunk of data is sent. */
    private static final int FRAME_HEADROOM = 16 * 1024;
    private static final int MAX_CHUNK = 1024 * 1024;

    private final Channel channel;
    private final ClientSession session;
    private final Message.Welcome welcome;
    private final long incarnation;
    private final long requestTimeoutMillis;
    private final AtomicLong nextTxid;

    NodeConnection(Channel channel, ClientSession session, Message.Welcome welcome, long incarnation,
                   long requestTimeoutMillis, AtomicLong txids) {
        this.channel = channel;
        this.session = session;
        this.welcome = welcome;
        this.incarnation = incarnation;
        this.requestTimeoutMillis = requestTimeoutMillis;
        this.nextTxid = txids;
    }

    /** What the node said in its WELCOME: identity, negotiated checksum and frame size, its export. */
    public Message.Welcome welcome() {
        return welcome;
    }

    public String nodeId() {
        return welcome.nodeId();
    }

    /** The node's export as reported at connect time (ask STATFS for fresh figures). */
    public NodeInfo info() {
        return welcome.info();
    }

    /** The incarnation this client sent in HELLO: with a txid it names a transaction to the node. */
    public long incarnation() {
        return incarnation;
    }

    /** The largest data chunk one READ or WRITE should carry on this connection. */
    public int maxChunk() {
        return Math.min(MAX_CHUNK, Integer.highestOneBit(welcome.maxFrame() - FRAME_HEADROOM));
    }

    public boolean isOpen() {
        return channel.isActive();
    }

    /** A fresh transaction id (unique for this client process). */
    public long newTxid() {
        return nextTxid.getAndIncrement();
    }

    /** Sends the commands as one transaction with a fresh id. */
    public CompletableFuture<Message.Reply> execute(List<Command> commands) {
        return send(new Message.Request(newTxid(), 0, commands));
    }

    public CompletableFuture<Message.Reply> execute(Command... commands) {
        return execute(List.of(commands));
    }

    /**
     * Sends a request as given: resending a request with the same txid after a lost reply asks the
     * node for the original answer, and the node does not apply it twice.
     */
    public CompletableFuture<Message.Reply> send(Message.Request request) {
        CompletableFuture<Message.Reply> reply = new CompletableFuture<>();
        CompletableFuture<Message.Reply> previous = session.pending.putIfAbsent(request.txid(), reply);
        if (previous != null) {
            return previous; // the same transaction is already in flight on this connection
        }
        if (!channel.isActive()) {
            session.pending.remove(request.txid());
            reply.completeExceptionally(new NodeException.ConnectionLost("connection to " + nodeId() + " is closed"));
            return reply;
        }
        var timeout = channel.eventLoop().schedule(() -> {
            if (session.pending.remove(request.txid(), reply)) {
                reply.completeExceptionally(new NodeException.Timeout("no reply from " + nodeId() + " to transaction "
                        + request.txid() + " within " + requestTimeoutMillis + " ms"));
            }
        }, requestTimeoutMillis, TimeUnit.MILLISECONDS);
        reply.whenComplete((r, e) -> timeout.cancel(false));
        channel.writeAndFlush(request).addListener(f -> {
            if (!f.isSuccess() && session.pending.remove(request.txid(), reply)) {
                reply.completeExceptionally(new NodeException.ConnectionLost("sending to " + nodeId() + " failed: "
                        + f.cause()));
            }
        });
        return reply;
    }

    /** Closes the connection; transactions still in flight fail with ConnectionLost. */
    @Override
    public void close() {
        channel.close().syncUninterruptibly();
    }

    /** A future completing when the connection has closed, for whatever reason. */
    public CompletableFuture<Void> onClose() {
        CompletableFuture<Void> f = new CompletableFuture<>();
        channel.closeFuture().addListener(x -> f.complete(null));
        return f;
    }
}
