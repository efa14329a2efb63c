package org.pohmelfs.gateway.nodes;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import org.pohmelfs.client.NodeClient;
import org.pohmelfs.client.NodeConnection;
import org.pohmelfs.client.NodeException;
import org.pohmelfs.protocol.Message;
import reactor.core.publisher.Mono;

/**
 * The gateway's link to one storage node: one multiplexed connection, opened on first use and
 * opened again after it closes. Safe for concurrent use.
 *
 * <p>A refused handshake ({@link NodeException.HandshakeRefused}: a certificate refused by either
 * side, plaintext to a node that requires TLS, another cluster) is kept for a backoff of
 * {@link #FIRST_BACKOFF} doubling to {@link #LONGEST_BACKOFF} ({@link ConnectBackoff}): callers
 * get it at once without a new connection, and the link logs one WARN per step. Other connect
 * failures (a refused TCP connect: the process is gone) are not held: the next call connects
 * again, as failover needs.
 */
public final class NodeLink {
    static final Duration FIRST_BACKOFF = Duration.ofMillis(200);
    static final Duration LONGEST_BACKOFF = Duration.ofSeconds(10);
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(NodeLink.class);
    private final InetSocketAddress address;
    private final NodeClient client;
    private final ConnectBackoff<String> backoff = new ConnectBackoff<>(FIRST_BACKOFF, LONGEST_BACKOFF);
    private final AtomicReference<CompletableFuture<NodeConnection>> current = new AtomicReference<>();
    private volatile boolean closed;

    public NodeLink(InetSocketAddress address, NodeClient client) {
        this.address = address;
        this.client = client;
    }

    public InetSocketAddress address() {
        return address;
    }

    /** The open connection, connecting first when there is none. */
    public Mono<NodeConnection> connection() {
        return Mono.defer(() -> Mono.fromFuture(connectionFuture(), true));
    }

    private CompletableFuture<NodeConnection> connectionFuture() {
        if (closed) {
            return CompletableFuture.failedFuture(new NodeException.ConnectionLost(
                    "the link to " + this + " is closed (the node left the write set)"));
        }
        while (true) {
            CompletableFuture<NodeConnection> f = current.get();
            if (f != null && !(f.isDone() && (f.isCompletedExceptionally() || !f.join().isOpen()))) {
                return f;
            }
            String held;
            synchronized (backoff) {
                held = backoff.held(System.nanoTime());
            }
            if (held != null) {
                // A fresh exception each time: Reactor may add suppressed ones to what it is given.
                return CompletableFuture.failedFuture(new NodeException.HandshakeRefused(held));
            }
            CompletableFuture<NodeConnection> fresh = new CompletableFuture<>();
            if (current.compareAndSet(f, fresh)) {
                client.connect(address).whenComplete((c, e) -> {
                    if (e != null) {
                        NodeException failure = classify(e);
                        if (failure instanceof NodeException.HandshakeRefused) {
                            Duration step;
                            synchronized (backoff) {
                                step = backoff.failed(failure.getMessage(), System.nanoTime());
                            }
                            log.warn("{}; no new connection to {} for {} ms", failure.getMessage(), this,
                                    step.toMillis());
                        }
                        fresh.completeExceptionally(failure);
                    } else {
                        synchronized (backoff) {
                            backoff.succeeded();
                        }
                        fresh.complete(c);
                    }
                });
                return fresh;
            }
        }
    }

    /**
     * A failed connect as the caller should see it: refused, or closed before the handshake
     * ended, is {@link NodeException.Unreachable}; a timeout or a refused handshake
     * ({@link NodeException.HandshakeRefused}, TLS or protocol: never unreachable) stays as it is.
     */
    private NodeException classify(Throwable e) {
        Throwable cause = e instanceof java.util.concurrent.CompletionException && e.getCause() != null ? e.getCause() : e;
        if (cause instanceof NodeException.ConnectionLost
                || cause instanceof java.net.ConnectException && !(cause instanceof io.netty.channel.ConnectTimeoutException)) {
            return new NodeException.Unreachable("cannot open a session with " + this + ": " + cause.getMessage(), cause);
        }
        if (cause instanceof NodeException ne) {
            return ne;
        }
        if (cause instanceof io.netty.channel.ConnectTimeoutException) {
            return new NodeException.Timeout("connecting to " + this + " timed out");
        }
        return new NodeException.ConnectionLost("cannot connect to " + this + ": " + cause);
    }

    /** Sends a request on the current connection. */
    public Mono<Message.Reply> send(Message.Request request) {
        return connection().flatMap(c -> Mono.fromFuture(c.send(request), true));
    }

    /** Closes the connection if one is open; the link opens no new one afterwards. */
    public void close() {
        closed = true;
        CompletableFuture<NodeConnection> f = current.getAndSet(null);
        if (f != null && f.isDone() && !f.isCompletedExceptionally()) {
            f.join().close();
        }
    }

    @Override
    public String toString() {
        return address.getHostString() + ":" + address.getPort();
    }
}
