package org.pohmelfs.gateway.replication;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.MeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.pohmelfs.client.ClientSettings;
import org.pohmelfs.client.NodeClient;
import org.pohmelfs.client.NodeConnection;
import org.pohmelfs.cluster.ClusterMap;
import org.pohmelfs.cluster.Member;
import org.pohmelfs.cluster.MemberState;
import org.pohmelfs.cluster.zk.ClusterMapStore;
import org.pohmelfs.cluster.zk.EmbeddedZooKeeper;
import org.pohmelfs.cluster.zk.ZkClients;
import org.pohmelfs.gateway.rest.GatewayTestSupport;
import org.pohmelfs.testing.FaultProxy;
import org.pohmelfs.gateway.testing.LocalNodes;
import org.pohmelfs.node.store.StoreSettings;
import org.pohmelfs.protocol.Attr;
import org.pohmelfs.protocol.Command;
import org.pohmelfs.protocol.ErrorCode;
import org.pohmelfs.protocol.Message;
import org.pohmelfs.protocol.Result;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Fixture: three real nodes (leases of 1 s) that follow a cluster map in an embedded ZooKeeper
 * on a free port, and gateways started against it (node deadline 1 s, authority deadline 3 s).
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
abstract class ReplicaCluster {
    static final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @TempDir
    Path dir;
    EmbeddedZooKeeper zk;
    CuratorFramework curator;
    ClusterMapStore store;
    LocalNodes nodes;
    final List<FaultProxy> proxies = new ArrayList<>();
    final List<ConfigurableApplicationContext> gateways = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        zk = EmbeddedZooKeeper.start(Files.createDirectories(dir.resolve("zk")), 0);
        curator = ZkClients.start(zk.connectString(), Duration.ofSeconds(10));
        store = new ClusterMapStore(curator, "pohmelfs");
        nodes = new LocalNodes(Duration.ofSeconds(1));
        Path certs = nodeCertificates();
        if (certs != null) {
            nodes.requireTls(certs);
        }
        for (int i = 1; i <= 3; i++) {
            nodes.addFollowing("node" + i, StoreSettings.defaults(Files.createDirectories(dir.resolve("node" + i))), store);
        }
    }

    /** The folder of {@code bin/pohmelfs certs}'s files the nodes require TLS with; null (the default): plaintext. */
    Path nodeCertificates() throws Exception {
        return null;
    }

    @AfterEach
    void stop() throws Exception {
        gateways.forEach(ConfigurableApplicationContext::close);
        for (FaultProxy p : proxies) {
            p.close();
        }
        nodes.close();
        curator.close();
        zk.close();
    }

    /** Stores the first map: node i at {@code addresses[i]} (its own address, or a proxy's). */
    ClusterMap initialize(String... addresses) throws Exception {
        List<Member> members = new ArrayList<>();
        for (int i = 0; i < addresses.length; i++) {
            int colon = addresses[i].lastIndexOf(':');
            members.add(new Member("node" + (i + 1), addresses[i].substring(0, colon),
                    Integer.parseInt(addresses[i].substring(colon + 1)), MemberState.IN_SYNC));
        }
        return store.initialize(ClusterMap.bootstrap(members)).map();
    }

    ClusterMap initialize() throws Exception {
        return initialize(nodes.nodes().stream().map(LocalNodes.Node::address).toArray(String[]::new));
    }

    ConfigurableApplicationContext gateway(String id, String... extra) {
        List<String> args = new ArrayList<>();
        // Defaults the caller may override (a property given twice would bind as a list).
        for (String d : List.of("--pohmelfs.gateway.zookeeper.connect=" + zk.connectString(),
                "--pohmelfs.gateway.replication.node-timeout=1s", "--pohmelfs.gateway.replication.authority-timeout=3s")) {
            String key = d.substring(0, d.indexOf('=') + 1);
            if (java.util.Arrays.stream(extra).noneMatch(e -> e.startsWith(key))) {
                args.add(d);
            }
        }
        args.addAll(List.of(extra));
        ConfigurableApplicationContext gw = GatewayTestSupport.startGateway(id, "127.0.0.1:1", args.toArray(String[]::new));
        gateways.add(gw);
        return gw;
    }

    static HttpResponse<byte[]> send(ConfigurableApplicationContext gw, String method, String path, byte[] body)
            throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(GatewayTestSupport.baseUrl(gw) + path))
                .timeout(Duration.ofSeconds(30))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body))
                .build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    /** The attributes of {@code path} as {@code node} has them, asked directly. */
    static Attr statOn(LocalNodes.Node node, String path) {
        NodeClient c = new NodeClient(ClientSettings.defaults("probe", "pohmelfs"));
        try (NodeConnection conn = c.connectBlocking(new java.net.InetSocketAddress("127.0.0.1", node.server().port()))) {
            Message.Reply r = conn.execute(new Command.Stat(path)).join();
            return ((Result.Attrs) r.results().getFirst()).attr();
        }
    }

    static String etag(Attr a) {
        return a.etag();
    }
}
