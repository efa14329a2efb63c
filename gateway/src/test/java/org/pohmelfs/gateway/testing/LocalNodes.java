package org.pohmelfs.gateway.testing;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
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
    public record Node(String id, Path export, TransactionManager store, NodeServer server, IoExecutor io) {
        public String address() {
            return "127.0.0.1:" + server.port();
        }
    }

    public static LocalNodes start(Path dir, int count) throws IOException {
        LocalNodes cluster = new LocalNodes();
        for (int i = 1; i <= count; i++) {
            cluster.add(dir, "node" + i, StoreSettings.defaults(Files.createDirectories(dir.resolve("node" + i))));
        }
        return cluster;
    }

    public Node add(Path dir, String id, StoreSettings settings) throws IOException {
        TransactionManager store = TransactionManager.open(settings);
        RequestExecutor executor = new TransactionExecutor(store);
        IoExecutor io = new IoExecutor(16);
        NodeServer server = new NodeServer(new NodeServer.Settings(id, "pohmelfs", "127.0.0.1", 0, LinkPolicy.defaults(),
                null, 256), executor, io, new NodeMetrics(new SimpleMeterRegistry()));
        server.start();
        Node node = new Node(id, settings.export(), store, server, io);
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

    @Override
    public void close() {
        for (Node n : nodes.reversed()) {
            n.server().close();
            n.io().close();
            n.store().close();
        }
        nodes.clear();
    }
}
