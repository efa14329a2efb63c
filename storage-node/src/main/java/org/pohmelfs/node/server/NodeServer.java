package org.pohmelfs.node.server;

import io.netty.channel.ChannelOption;
import io.netty.handler.ssl.SslContext;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Set;
import org.pohmelfs.node.cluster.EpochFence;
import org.pohmelfs.node.coherence.LeaseDriver;
import org.pohmelfs.protocol.Handshake;
import org.pohmelfs.protocol.Opcodes;
import org.pohmelfs.protocol.LinkPolicy;
import org.pohmelfs.transport.ProtocolPipeline;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.tcp.TcpServer;

/**
 * The native-protocol server of a storage node: a Reactor Netty {@link TcpServer} whose
 * channels carry the shared protocol pipeline and a {@link NodeSession} each.
 */
public final class NodeServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(NodeServer.class);

    /** Everything the server needs, as plain values. */
    public record Settings(String nodeId, String cluster, String host, int port, LinkPolicy link, SslContext tls,
                           int maxInFlight) {
    }

    private final Settings settings;
    private final RequestExecutor executor;
    private final IoExecutor ioThreads;
    private final NodeMetrics metrics;
    private final LeaseDriver leases;
    private final EpochFence fence;
    private final boolean holds;
    private final long incarnation = new SecureRandom().nextLong();
    private DisposableServer server;

    public NodeServer(Settings settings, RequestExecutor executor, IoExecutor ioThreads, NodeMetrics metrics) {
        this(settings, executor, ioThreads, metrics, null);
    }

    /**
     * A server that also serves coherence leases (features {@code locks} and {@code push}) and
     * makes mutations coherent with them.
     *
     * @param leases the node's lease driver, or null for none
     */
    public NodeServer(Settings settings, RequestExecutor executor, IoExecutor ioThreads, NodeMetrics metrics,
                      LeaseDriver leases) {
        this(settings, executor, ioThreads, metrics, leases, EpochFence.standalone());
    }

    /**
     * A server whose requests pass {@code fence} (protocol §6.3) before anything else, and
     * whose WELCOME reports the fence's epoch.
     */
    public NodeServer(Settings settings, RequestExecutor executor, IoExecutor ioThreads, NodeMetrics metrics,
                      LeaseDriver leases, EpochFence fence) {
        this(settings, executor, ioThreads, metrics, leases, fence, true);
    }

    /**
     * As above; with {@code holds} (and leases) the node offers the feature {@code hold}: HOLD and
     * UNHOLD (protocol §4.8.2, design.md §4.7).
     */
    public NodeServer(Settings settings, RequestExecutor executor, IoExecutor ioThreads, NodeMetrics metrics,
                      LeaseDriver leases, EpochFence fence, boolean holds) {
        this.holds = holds && leases != null;
        this.fence = fence;
        this.leases = leases;
        this.settings = settings;
        this.executor = executor;
        this.ioThreads = ioThreads;
        this.metrics = metrics;
    }

    /** Binds the port; returns once the node accepts connections. */
    public synchronized void start() {
        if (server != null) {
            return;
        }
        server = TcpServer.create()
                .host(settings.host())
                .port(settings.port())
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .doOnChannelInit((observer, channel, remote) -> ProtocolPipeline.configureServer(channel,
                        settings.tls(), settings.link().maxFrame(), new NodeSession(settings.link(), this::identity,
                                executor, ioThreads, metrics, settings.maxInFlight(), leases, fence, holds)))
                // Reactor Netty reads only on demand of an inbound subscriber; the session handler
                // consumes frames itself and manages back-pressure with auto-read.
                .doOnConnection(connection -> connection.channel().config().setAutoRead(true))
                .handle((in, out) -> Mono.never())
                .bindNow(Duration.ofSeconds(10));
        log.info("node {} serving the native protocol on {}:{} ({})", settings.nodeId(), settings.host(), port(),
                settings.tls() == null ? "plaintext" : settings.link().requireTls() ? "TLS required" : "TLS optional");
    }

    /** The bound port (useful when configured as 0). */
    public int port() {
        return ((InetSocketAddress) server.address()).getPort();
    }

    public InetSocketAddress address() {
        return new InetSocketAddress(settings.host(), port());
    }

    public synchronized boolean isRunning() {
        return server != null && !server.isDisposed();
    }

    /** The node as it introduces itself; the epoch is the fence's (0 until a cluster map exists). */
    Handshake.NodeIdentity identity() {
        java.util.Set<String> features = new java.util.HashSet<>(Set.of(Handshake.FEATURE_DAVLOCKS));
        if (leases != null) {
            features.addAll(Set.of(Opcodes.FEATURE_LOCKS, Opcodes.FEATURE_PUSH));
        }
        if (holds) {
            features.add(Opcodes.FEATURE_HOLD);
        }
        features.addAll(executor.features());
        return new Handshake.NodeIdentity(settings.nodeId(), incarnation, settings.cluster(), fence.epoch(),
                Set.copyOf(features));
    }

    /** Stops accepting, closes connections. */
    @Override
    public synchronized void close() {
        if (server != null) {
            server.disposeNow(Duration.ofSeconds(10));
            server = null;
        }
    }
}
