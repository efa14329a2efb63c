package org.pohmelfs.gateway.testing;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.time.Duration;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.pohmelfs.node.coherence.LeaseDriver;
import org.pohmelfs.node.coherence.LockMetrics;
import org.pohmelfs.node.config.TransactionExecutor;
import org.pohmelfs.node.server.IoExecutor;
import org.pohmelfs.node.server.NodeMetrics;
import org.pohmelfs.node.server.NodeServer;
import org.pohmelfs.node.server.RequestExecutor;
import org.pohmelfs.node.store.StoreSettings;
import org.pohmelfs.node.txn.TransactionManager;
import org.pohmelfs.protocol.LinkPolicy;

/**
 * Real storage nodes for gateway tests: each a native-protocol server on a free loopback port
 * over its own export directory, built from the same classes as the storage-node service
 * (without Spring, so they start in milliseconds).
 */
public final class LocalNodes implements AutoCloseable {
    private final List<Node> nodes = new ArrayList<>();

    /** One running node. */
    public record Node(String id, Path export, TransactionManager store, NodeServer server, IoExecutor io,
                       MeterRegistry registry, LeaseDriver leases) {
        public String address() {
            return "127.0.0.1:" + server.port();
        }

        /**
         * How many transactions this node has finished whose only command is {@code command}
         * ("read", "stat", "list", "acquire", ...; "transaction" for several commands), by
         * the node's own {@code pohmelfs.node.requests} metric: the proof that a cached
         * request sent nothing to the node.
         */
        public long requests(String command) {
            return registry.find("pohmelfs.node.requests").tag("command", command).timers().stream()
                    .mapToLong(Timer::count).sum();
        }

        /** Every finished transaction, whatever its commands. */
        public long requests() {
            return registry.find("pohmelfs.node.requests").timers().stream().mapToLong(Timer::count).sum();
        }
    }

    /** The lease duration of nodes started with leases; null: nodes without a lease driver. */
    private final Duration lease;
    /**
     * Whether the lease driver checks the lock table's invariants after every step. The check
     * is O(leases²): right for the small trees of most tests, far too slow for a client that
     * caches thousands of paths (a davfs2 tree copy).
     */
    private boolean checkInvariants = true;

    /** An empty cluster of nodes without leases; {@link #add} starts them. */
    public LocalNodes() {
        this(null);
    }

    /** An empty cluster whose nodes grant leases {@code lease} long (null: no leases). */
    public LocalNodes(Duration lease) {
        this.lease = lease;
    }

    public static LocalNodes start(Path dir, int count) throws IOException {
        return start(dir, count, null);
    }

    /**
     * Nodes that grant coherence leases ({@code lease} long) and recall them, as the
     * storage-node service does; a fresh node's grace period (one lease duration) delays the
     * first mutations, so keep {@code lease} short in tests. Null: no lease driver.
     */
    public static LocalNodes start(Path dir, int count, Duration lease) throws IOException {
        return start(dir, count, lease, true);
    }

    /** As {@link #start(Path, int, Duration)}, with the lock table's invariant checks on or off. */
    public static LocalNodes start(Path dir, int count, Duration lease, boolean checkInvariants) throws IOException {
        LocalNodes cluster = new LocalNodes(lease);
        cluster.checkInvariants = checkInvariants;
        try {
            for (int i = 1; i <= count; i++) {
                cluster.add(dir, "node" + i, StoreSettings.defaults(Files.createDirectories(dir.resolve("node" + i))));
            }
        } catch (IOException | RuntimeException e) {
            cluster.close(); // the nodes already started, not left running for the rest of the build
            throw e;
        }
        return cluster;
    }

    public Node add(Path dir, String id, StoreSettings settings) throws IOException {
        return add(id, settings, org.pohmelfs.node.cluster.EpochFence.standalone());
    }

    /**
     * A node that follows the cluster map of {@code map} (which need not exist yet): its epoch
     * fence learns each new map from a watch and from a fresh read when a request names a later
     * epoch, as {@code pohmelfs.node.zookeeper.connect} makes the storage-node service do
     * (without the live registration).
     */
    public Node addFollowing(String id, StoreSettings settings, org.pohmelfs.cluster.zk.ClusterMapStore map)
            throws IOException {
        var fence = org.pohmelfs.node.cluster.EpochFence.following(0,
                () -> map.readLatest().map(v -> v.map().epoch()).orElse(0L), false);
        followers.add(map.watch(m -> fence.observe(m.epoch())));
        Node node = add(id, settings, fence);
        if (node.leases() != null) {
            // As the storage-node service does: the authority grace and refusal (design.md §4.4).
            followers.add(org.pohmelfs.node.cluster.AuthorityWatch.start(map, id, node.leases()));
        }
        return node;
    }

    private final List<AutoCloseable> followers = new ArrayList<>();

    /** Folder of {@code bin/pohmelfs certs}'s files; null: plaintext nodes. */
    private Path tlsCerts;

    /**
     * Nodes added from now on require mutual TLS with {@code <certs>/<id>.pem},
     * {@code <id>-key.pem} and {@code ca.pem} (the files {@code bin/pohmelfs certs} writes).
     */
    public LocalNodes requireTls(Path certs) {
        this.tlsCerts = certs;
        return this;
    }

    private Node add(String id, StoreSettings settings, org.pohmelfs.node.cluster.EpochFence fence) throws IOException {
        TransactionManager store = TransactionManager.open(settings);
        RequestExecutor executor = new TransactionExecutor(store);
        IoExecutor io = new IoExecutor(16);
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        LeaseDriver driver = lease == null ? null : new LeaseDriver(lease, new LockMetrics(registry), checkInvariants);
        LinkPolicy link = LinkPolicy.defaults();
        io.netty.handler.ssl.SslContext ssl = null;
        if (tlsCerts != null) {
            link = new LinkPolicy(link.checksums(), true, link.maxFrame());
            ssl = new org.pohmelfs.transport.TlsConfig(tlsCerts.resolve(id + ".pem"), tlsCerts.resolve(id + "-key.pem"),
                    tlsCerts.resolve("ca.pem"), true).serverContext();
        }
        NodeServer server = new NodeServer(new NodeServer.Settings(id, "pohmelfs", "127.0.0.1", 0, link,
                ssl, 256), executor, io, new NodeMetrics(registry), driver, fence);
        server.start();
        Node node = new Node(id, settings.export(), store, server, io, registry, driver);
        nodes.add(node);
        return node;
    }

    public List<Node> nodes() {
        return nodes;
    }

    public Node get(int index) {
        return nodes.get(index);
    }

    /** "127.0.0.1:p1,127.0.0.1:p2": the value of pohmelfs.gateway.nodes. */
    public String addresses() {
        return nodes.stream().map(Node::address).collect(Collectors.joining(","));
    }

    /** Stops one node as a crash would look to its peers: its connections close, it answers nothing. */
    public void stop(Node n) {
        if (nodes.remove(n)) {
            RuntimeException failure = shutdown(n, null);
            if (failure != null) {
                throw failure;
            }
        }
    }

    /** Runs every step of stopping a node; one that fails does not keep the others from running. */
    private static RuntimeException shutdown(Node n, RuntimeException failure) {
        List<Runnable> steps = new ArrayList<>();
        steps.add(() -> n.server().close());
        if (n.leases() != null) {
            steps.add(() -> n.leases().close());
        }
        steps.add(() -> n.io().close());
        steps.add(() -> n.store().close());
        for (Runnable step : steps) {
            try {
                step.run();
            } catch (RuntimeException e) {
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        return failure;
    }

    /** Stops every node; one that fails to stop does not keep the others running. */
    @Override
    public void close() {
        RuntimeException failure = null;
        for (Node n : nodes.reversed()) {
            failure = shutdown(n, failure);
        }
        nodes.clear();
        for (AutoCloseable f : followers) {
            try {
                f.close();
            } catch (Exception e) {
                // closing a watch of a map whose ZooKeeper is gone already
            }
        }
        followers.clear();
        if (failure != null) {
            throw failure;
        }
    }
}
