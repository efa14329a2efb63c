package org.pohmelfs.gateway.admin;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.pohmelfs.cluster.ClusterMap;
import org.pohmelfs.cluster.Member;
import org.pohmelfs.cluster.MemberState;
import org.pohmelfs.cluster.zk.ClusterMapStore;
import org.pohmelfs.cluster.zk.EmbeddedZooKeeper;
import org.pohmelfs.cluster.zk.ZkClients;
import org.pohmelfs.gateway.rest.GatewayTestSupport;
import org.pohmelfs.gateway.testing.LocalNodes;
import org.pohmelfs.node.store.StoreSettings;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Fixture for the admin API: an embedded ZooKeeper on a free port, three real in-JVM nodes
 * (leases of 1 s) following the map, and gateways in this JVM with an admin user
 * ({@code root}/{@code rootpw}) and a writer ({@code alice}/{@code alicepw}); the file API is
 * open (auth disabled) unless a test asks otherwise.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
abstract class AdminCluster {
    static final String ADMIN = "root:rootpw";
    static final String WRITER = "alice:alicepw";
    static final JsonMapper JSON = JsonMapper.builder().build();
    static final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @TempDir
    Path dir;
    EmbeddedZooKeeper zk;
    CuratorFramework curator;
    ClusterMapStore store;
    LocalNodes nodes;
    final List<ConfigurableApplicationContext> gateways = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        zk = EmbeddedZooKeeper.start(Files.createDirectories(dir.resolve("zk")), 0);
        curator = ZkClients.start(zk.connectString(), Duration.ofSeconds(10));
        store = new ClusterMapStore(curator, "pohmelfs");
        nodes = new LocalNodes(Duration.ofSeconds(1));
        for (int i = 1; i <= 3; i++) {
            nodes.addFollowing("node" + i, StoreSettings.defaults(Files.createDirectories(dir.resolve("node" + i))), store);
        }
    }

    @AfterEach
    void stop() throws Exception {
        gateways.forEach(ConfigurableApplicationContext::close);
        nodes.close();
        curator.close();
        zk.close();
    }

    /** The first map: node1..node3 at their own addresses, all IN_SYNC, node1 the authority. */
    ClusterMap initialize() throws Exception {
        List<Member> members = new ArrayList<>();
        for (LocalNodes.Node n : nodes.nodes()) {
            members.add(new Member(n.id(), "127.0.0.1", n.server().port(), MemberState.IN_SYNC));
        }
        return store.initialize(ClusterMap.bootstrap(members)).map();
    }

    static List<String> users() {
        return List.of("--pohmelfs.gateway.auth.allow-noop-passwords=true",
                // the role tests try wrong passwords on every endpoint; throttling is UsersAndTokensTest's
                "--pohmelfs.gateway.auth.throttle.pair-failures=1000",
                "--pohmelfs.gateway.auth.users[0].name=root",
                "--pohmelfs.gateway.auth.users[0].password={noop}rootpw",
                "--pohmelfs.gateway.auth.users[0].admin=true",
                "--pohmelfs.gateway.auth.users[1].name=alice",
                "--pohmelfs.gateway.auth.users[1].password={noop}alicepw");
    }

    /** A gateway following the map in ZooKeeper (node deadline 1 s, authority 3 s unless {@code extra} says otherwise). */
    ConfigurableApplicationContext gateway(String id, String... extra) {
        List<String> args = new ArrayList<>(List.of("--pohmelfs.gateway.zookeeper.connect=" + zk.connectString()));
        for (String d : List.of("--pohmelfs.gateway.replication.node-timeout=1s",
                "--pohmelfs.gateway.replication.authority-timeout=3s")) {
            String key = d.substring(0, d.indexOf('=') + 1);
            if (java.util.Arrays.stream(extra).noneMatch(e -> e.startsWith(key))) {
                args.add(d);
            }
        }
        args.addAll(users());
        args.addAll(List.of(extra));
        ConfigurableApplicationContext gw = GatewayTestSupport.startGateway(id, "127.0.0.1:1", args.toArray(String[]::new));
        gateways.add(gw);
        return gw;
    }

    static HttpResponse<String> send(ConfigurableApplicationContext gw, String method, String path, String body,
                                     String credentials) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(GatewayTestSupport.baseUrl(gw) + path))
                .timeout(Duration.ofSeconds(60))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (method.equals("PROPFIND")) {
            b.header("Depth", "0");
        }
        if (body != null && body.startsWith("{")) {
            b.header("Content-Type", "application/json");
        }
        if (credentials != null) {
            b.header("Authorization", "Basic " + Base64.getEncoder().encodeToString(credentials.getBytes()));
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    static HttpResponse<String> admin(ConfigurableApplicationContext gw, String method, String path, String body)
            throws Exception {
        return send(gw, method, "/admin/v1" + path, body, ADMIN);
    }

    static JsonNode json(HttpResponse<String> r) {
        return JSON.readTree(r.body());
    }

    /** The member {@code id} of a {@code GET /admin/v1/nodes} answer, or a missing node. */
    static JsonNode member(JsonNode nodes, String id) {
        for (JsonNode n : nodes.path("nodes")) {
            if (n.path("id").asString().equals(id)) {
                return n;
            }
        }
        return tools.jackson.databind.node.MissingNode.getInstance();
    }
}
