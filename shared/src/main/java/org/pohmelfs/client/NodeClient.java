package org.pohmelfs.client;

import io.netty.channel.ChannelOption;
import io.netty.handler.ssl.SslContext;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import javax.net.ssl.SSLException;
import org.pohmelfs.protocol.ErrorCode;
import org.pohmelfs.protocol.Handshake;
import org.pohmelfs.protocol.Message;
import org.pohmelfs.protocol.Opcodes;
import org.pohmelfs.transport.ProtocolPipeline;
import reactor.netty.Connection;
import reactor.netty.tcp.TcpClient;

/**
 * Opens handshaken connections to storage nodes. One NodeClient stands for one client process
 * (one gateway): it draws one random incarnation and one sequence of transaction ids shared by
 * all its connections, so that (peerId, incarnation, txid) names a transaction uniquely even
 * when it is resent to another node.
 */
public final class NodeClient {
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(NodeClient.class);
    private final ClientSettings settings;
    private final SslContext ssl;
    private final long incarnation;
    private final AtomicLong txids = new AtomicLong(1);
    /** The incarnation last seen per node id, to tell a restart. */
    private final Map<String, Long> incarnations = new ConcurrentHashMap<>();

    public NodeClient(ClientSettings settings) {
        this(settings, new SecureRandom().nextLong());
    }

    /**
     * A client that introduces itself with a given incarnation rather than a fresh one: with the
     * settings' peer id it acts under another process's identity, so that a transaction it resends
     * is the one that process sent (a node forwarding a held write, design.md §4.7). Its own
     * txids are not to be used then: they would name other transactions of that process.
     */
    public NodeClient(ClientSettings settings, long incarnation) {
        this.incarnation = incarnation;
        this.settings = settings;
        try {
            this.ssl = settings.tls() == null ? null : settings.tls().clientContext();
        } catch (SSLException e) {
            throw new IllegalArgumentException("cannot load TLS material: " + e.getMessage(), e);
        }
    }

    public ClientSettings settings() {
        return settings;
    }

    public long incarnation() {
        return incarnation;
    }

    /** A fresh transaction id, unique for this client process across all its connections. */
    public long newTxid() {
        return txids.getAndIncrement();
    }

    /** Connects and completes the handshake; fails with {@link NodeException} on refusal. */
    public CompletableFuture<NodeConnection> connect(InetSocketAddress address) {
        return connect(address, push -> { });
    }

    /**
     * Connects and completes the handshake.
     *
     * @param pushListener called on the event loop for each PUSH from the node, before the
     *                     client acknowledges it
     */
    public CompletableFuture<NodeConnection> connect(InetSocketAddress address, Consumer<Message.Push> pushListener) {
        return connect(address, pushListener, null);
    }

    /**
     * Connects asking for the {@code locks} and {@code push} features, so that the connection can
     * hold leases ({@link NodeConnection#acquire}); the listener hears recalls, renewals, the
     * loss of the connection and a node restart. Fails if the node does not grant both features.
     */
    public CompletableFuture<NodeConnection> connectWithLeases(InetSocketAddress address, LeaseListener leases) {
        return connect(address, push -> { }, leases).thenApply(c -> {
            if (!c.leasesEnabled()) {
                c.close();
                throw new NodeException(ErrorCode.UNSUPPORTED, "node " + c.nodeId() + " serves no leases");
            }
            return c;
        });
    }

    private CompletableFuture<NodeConnection> connect(InetSocketAddress address, Consumer<Message.Push> pushListener,
                                                      LeaseListener leases) {
        String target = address.getHostString() + ":" + address.getPort();
        ClientSession session = new ClientSession(target, pushListener, leases);
        Set<String> features = new HashSet<>(settings.features());
        // Always asked for: NodeConnection.send downgrades unstable writes for a node without it.
        features.add(Opcodes.FEATURE_UNSTABLE);
        // Likewise: send drops HOLD for a node without it.
        features.add(Opcodes.FEATURE_HOLD);
        if (leases != null) {
            features.add(Opcodes.FEATURE_LOCKS);
            features.add(Opcodes.FEATURE_PUSH);
        }
        int timeoutMillis = (int) settings.connectTimeout().toMillis();
        Message.Hello hello = new Message.Hello(Handshake.MIN_VERSION, Handshake.MAX_VERSION, settings.peerId(),
                incarnation, settings.clusterName(), settings.link().checksums(), settings.link().maxFrame(),
                ssl != null, features);
        return TcpClient.create()
                .remoteAddress(() -> address)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, timeoutMillis)
                .option(ChannelOption.TCP_NODELAY, true)
                .doOnChannelInit((observer, channel, remote) -> ProtocolPipeline.configureClient(channel, ssl,
                        address.getHostString(), address.getPort(), settings.link().maxFrame(), session))
                .connect()
                .toFuture()
                .thenCompose(connection -> handshake(connection, session, hello, target, timeoutMillis));
    }

    /** Connects and waits; for tools and tests. */
    public NodeConnection connectBlocking(InetSocketAddress address) {
        try {
            return connect(address).get(settings.connectTimeout().toMillis() * 2, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof NodeException ne) {
                throw ne;
            }
            throw new NodeException.ConnectionLost("cannot connect to " + address + ": " + e.getCause());
        } catch (TimeoutException e) {
            throw new NodeException.Timeout("connecting to " + address + " timed out");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new NodeException.ConnectionLost("interrupted while connecting to " + address);
        }
    }

    private CompletableFuture<NodeConnection> handshake(Connection connection, ClientSession session,
                                                        Message.Hello hello, String target, int timeoutMillis) {
        // Reactor Netty reads only on demand of an inbound subscriber; the session handler reads itself.
        connection.channel().config().setAutoRead(true);
        connection.channel().writeAndFlush(hello);
        return session.welcome
                .orTimeout(timeoutMillis, TimeUnit.MILLISECONDS)
                .handle((welcome, error) -> {
                    if (error != null) {
                        connection.dispose();
                        Throwable cause = error instanceof java.util.concurrent.CompletionException ? error.getCause() : error;
                        if (cause instanceof NodeException ne) {
                            throw ne;
                        }
                        throw new NodeException(ErrorCode.HANDSHAKE_REFUSED, "handshake with " + target + " failed: " + cause);
                    }
                    String refusal = Handshake.check(settings.link(), hello, welcome);
                    if (refusal != null) {
                        log.warn("refusing node {} at {}: {}", welcome.nodeId(), target, refusal);
                        connection.channel().writeAndFlush(new Message.ConnectionError(ErrorCode.HANDSHAKE_REFUSED, refusal))
                                .addListener(f -> connection.dispose());
                        throw new NodeException.HandshakeRefused("refusing node " + target + ": " + refusal);
                    }
                    Long before = incarnations.put(welcome.nodeId(), welcome.incarnation());
                    if (session.leases != null && before != null && before != welcome.incarnation()) {
                        session.leases.incarnationChanged(welcome.nodeId(), before, welcome.incarnation());
                    }
                    return new NodeConnection(connection.channel(), session, welcome, incarnation,
                            settings.requestTimeout().toMillis(), txids);
                });
    }
}
