package org.pohmelfs.gateway.failover;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import org.apache.curator.framework.CuratorFramework;
import org.awaitility.Awaitility;
import org.pohmelfs.cluster.ClusterMap;
import org.pohmelfs.cluster.Member;
import org.pohmelfs.cluster.MemberState;
import org.pohmelfs.cluster.zk.ClusterMapStore;
import org.pohmelfs.cluster.zk.EmbeddedZooKeeper;
import org.pohmelfs.cluster.zk.ZkClients;
import org.pohmelfs.gateway.testing.GatewayProcess;
import org.pohmelfs.testing.FaultProxy;
import org.pohmelfs.testing.NodeProcess;

/**
 * A replicated cluster of real processes on loopback for failover tests (issue #6): an
 * embedded ZooKeeper in this JVM, N storage-node processes that follow the map, each behind a
 * {@link FaultProxy} whose address is the member's address in the map (so "cut off" is a
 * blackholed proxy), and gateway processes given the ZooKeeper connect string (and the same
 * addresses as a static list, which gateways without map support use).
 */
final class FailoverCluster implements AutoCloseable {
    static final String CLUSTER = "failover";
    private static final Duration SESSION = Duration.ofSeconds(2);

    private final Path dir;
    private final EmbeddedZooKeeper zk;
    private final CuratorFramework client;
    private final ClusterMapStore store;
    private final List<NodeProcess> nodes = new ArrayList<>();
    private final List<FaultProxy> proxies = new ArrayList<>();
    private final List<GatewayProcess> gateways = new ArrayList<>();

    private FailoverCluster(Path dir, EmbeddedZooKeeper zk) {
        this.dir = dir;
        this.zk = zk;
        this.client = ZkClients.start(zk.connectString(), Duration.ofSeconds(4));
        this.store = new ClusterMapStore(client, CLUSTER);
    }

    /** ZooKeeper, {@code count} nodes (node1..) started in parallel, the first map, no gateway yet. */
    static FailoverCluster start(Path dir, int count) throws Exception {
        return start(dir, count, new String[0]);
    }

    /** As {@link #start(Path, int)}, each node with more Spring arguments ({@code nodeArgs}). */
    static FailoverCluster start(Path dir, int count, String... nodeArgs) throws Exception {
        FailoverCluster c = new FailoverCluster(dir, EmbeddedZooKeeper.start(dir.resolve("zk"), 0, 200));
        try {
            List<Member> members = new ArrayList<>();
            for (int i = 1; i <= count; i++) {
                String id = "node" + i;
                List<String> args = new ArrayList<>(List.of("--pohmelfs.node.id=" + id,
                        "--pohmelfs.node.cluster=" + CLUSTER,
                        "--pohmelfs.node.zookeeper.connect=" + c.zk.connectString(),
                        "--pohmelfs.node.zookeeper.session-timeout=" + SESSION.toMillis() + "ms",
                        org.pohmelfs.gateway.testing.NodeArgs.NO_TEST_CLASSPATH_SECURITY));
                args.addAll(List.of(nodeArgs));
                NodeProcess node = new NodeProcess(Files.createDirectories(dir.resolve(id)), dir.resolve(id + ".log"),
                        args.toArray(String[]::new));
                c.nodes.add(node);
                FaultProxy proxy = FaultProxy.start(node.address());
                c.proxies.add(proxy);
                members.add(new Member(id, "127.0.0.1", proxy.port(), MemberState.IN_SYNC));
            }
            c.store.initialize(ClusterMap.bootstrap(members));
            try (ExecutorService starts = Executors.newVirtualThreadPerTaskExecutor()) {
                List<Future<NodeProcess>> started = c.nodes.stream().map(n -> starts.submit(n::start)).toList();
                for (Future<NodeProcess> f : started) {
                    f.get();
                }
            }
            return c;
        } catch (Exception | Error e) {
            c.close();
            throw e;
        }
    }

    /**
     * Starts another node process (behind its own proxy) that follows the map but is not in it
     * yet; returns the proxy's address, the one to add to the map.
     */
    String startExtraNode(String id) throws Exception {
        NodeProcess node = new NodeProcess(Files.createDirectories(dir.resolve(id)), dir.resolve(id + ".log"),
                "--pohmelfs.node.id=" + id,
                "--pohmelfs.node.cluster=" + CLUSTER,
                "--pohmelfs.node.zookeeper.connect=" + zk.connectString(),
                "--pohmelfs.node.zookeeper.session-timeout=" + SESSION.toMillis() + "ms",
                org.pohmelfs.gateway.testing.NodeArgs.NO_TEST_CLASSPATH_SECURITY);
        nodes.add(node);
        FaultProxy proxy = FaultProxy.start(node.address());
        proxies.add(proxy);
        node.start();
        return proxy.address();
    }

    /** The store of the map, for changes a test makes by hand (nodes resync and promote themselves, design §5). */
    ClusterMapStore store() {
        return store;
    }

    /** Starts a gateway process and waits until it is ready; {@code extra}: more Spring arguments. */
    GatewayProcess startGateway(String id, String... extra) throws IOException {
        List<String> args = new ArrayList<>(List.of("--pohmelfs.gateway.id=" + id,
                "--pohmelfs.gateway.cluster=" + CLUSTER,
                "--pohmelfs.gateway.zookeeper.connect=" + zk.connectString(),
                "--pohmelfs.gateway.zookeeper.session-timeout=" + SESSION.toMillis() + "ms"));
        args.addAll(List.of(extra));
        GatewayProcess gw = GatewayProcess.start(dir.resolve(id + ".log"), List.of("-Xmx256m", "-XX:TieredStopAtLevel=1"),
                proxies.stream().map(FaultProxy::address).collect(Collectors.joining(",")),
                args.toArray(String[]::new));
        gateways.add(gw);
        HttpClient http = HttpClient.newHttpClient();
        Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).until(() -> http.send(
                HttpRequest.newBuilder(URI.create(gw.baseUrl() + "/actuator/health/readiness")).build(),
                HttpResponse.BodyHandlers.discarding()).statusCode() == 200);
        return gw;
    }

    /** node1 is index 0. */
    NodeProcess node(int index) {
        return nodes.get(index);
    }

    FaultProxy proxy(int index) {
        return proxies.get(index);
    }

    int index(String nodeId) {
        return Integer.parseInt(nodeId.substring("node".length())) - 1;
    }

    /** The map now, read after a ZooKeeper sync. */
    ClusterMap map() throws Exception {
        return store.readLatest().orElseThrow().map();
    }

    Path export(String nodeId) {
        return nodes.get(index(nodeId)).export();
    }

    @Override
    public void close() throws Exception {
        for (GatewayProcess g : gateways) {
            g.close();
        }
        for (NodeProcess n : nodes) {
            n.close();
        }
        for (FaultProxy p : proxies) {
            p.close();
        }
        client.close();
        zk.close();
    }
}
