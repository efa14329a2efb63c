package org.pohmelfs.gateway.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.curator.framework.CuratorFramework;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.pohmelfs.cluster.ClusterMap;
import org.pohmelfs.cluster.Member;
import org.pohmelfs.cluster.MemberState;
import org.pohmelfs.cluster.zk.ClusterMapStore;
import org.pohmelfs.cluster.zk.EmbeddedZooKeeper;
import org.pohmelfs.cluster.zk.MapTool;
import org.pohmelfs.cluster.zk.ZkClients;
import org.pohmelfs.gateway.rest.GatewayTestSupport;
import org.pohmelfs.testing.NodeProcess;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;

/**
 * Every query of every Grafana dashboard ({@code deploy/grafana/dashboards/*.json}) and every
 * alert rule ({@code deploy/prometheus/alerts.yml}) evaluated by a real Prometheus (Debian's
 * package) that scrapes a live local cluster: an embedded ZooKeeper, three storage-node
 * processes and a gateway, all on free loopback ports. Each query must parse and return data.
 *
 * <p>The dashboards are evaluated on the healthy cluster under traffic. The alerts only return
 * data when their condition holds, so the test brings each condition about: two nodes fenced
 * (out of sync, small in-sync set), then the lock authority hung (the gateway's leases run out
 * unrenewed while it has been taking requests), then ZooKeeper stopped (nodes without a session
 * refuse every request: not serving, 503s from the gateway).
 *
 * <p>Needs {@code prometheus} and {@code promtool} on the PATH (Debian package
 * {@code prometheus}; .ci/run installs it); skipped without them unless
 * {@code POHMELFS_REQUIRE_CLIENTS=1}, then it fails.
 */
@Timeout(value = 6, unit = TimeUnit.MINUTES)
class MonitoringQueriesTest {
    static final Path REPO = Path.of("..").toAbsolutePath().normalize();
    static final Path DASHBOARDS = REPO.resolve("deploy/grafana/dashboards");
    static final Path ALERTS = REPO.resolve("deploy/prometheus/alerts.yml");
    static final String CLUSTER = "pohmelfs";
    static final String EXPIRED_LEASES = "PohmelfsGatewayServingWithExpiredLeases";

    /**
     * Metrics that may not exist in a run (none now: the resync metrics are registered at start).
     * A query that uses one must parse, but need not return data.
     */
    static final List<String> PENDING = List.of();

    private static final String NO_TEST_CLASSPATH_SECURITY = org.pohmelfs.gateway.testing.NodeArgs.NO_TEST_CLASSPATH_SECURITY;

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final ObjectMapper JSON = JsonMapper.builder().build();

    @TempDir
    Path dir;

    @Test
    void everyDashboardQueryAndAlertReturnsDataFromALiveCluster() throws Exception {
        requireTool("prometheus");
        requireTool("promtool");
        assertThat(run(List.of("promtool", "check", "rules", ALERTS.toString()))).contains("SUCCESS");

        List<Query> dashboards = Query.fromDashboards(DASHBOARDS);
        List<Query> alerts = Query.fromAlerts(ALERTS);
        assertThat(dashboards).hasSizeGreaterThan(30);
        assertThat(alerts).hasSize(5);

        EmbeddedZooKeeper zk = EmbeddedZooKeeper.start(Files.createDirectories(dir.resolve("zk")), 0, 200);
        List<NodeProcess> nodes = new ArrayList<>();
        ConfigurableApplicationContext gateway = null;
        Process prometheus = null;
        try (CuratorFramework curator = ZkClients.start(zk.connectString(), Duration.ofSeconds(4))) {
            List<Member> members = new ArrayList<>();
            for (int i = 1; i <= 3; i++) {
                NodeProcess n = new NodeProcess(Files.createDirectories(dir.resolve("node" + i)), dir.resolve("node" + i + ".log"),
                        "--pohmelfs.node.id=node" + i, "--pohmelfs.node.cluster=" + CLUSTER,
                        "--pohmelfs.node.zookeeper.connect=" + zk.connectString(),
                        "--pohmelfs.node.zookeeper.session-timeout=2s", "--pohmelfs.node.lease-duration=2s",
                        NO_TEST_CLASSPATH_SECURITY);
                nodes.add(n);
                members.add(new Member("node" + i, "127.0.0.1", n.address().getPort(), MemberState.IN_SYNC));
            }
            new ClusterMapStore(curator, CLUSTER).initialize(ClusterMap.bootstrap(members));
            try (ExecutorService starts = Executors.newVirtualThreadPerTaskExecutor()) {
                List<Future<NodeProcess>> started = nodes.stream().map(n -> starts.submit(n::start)).toList();
                for (Future<NodeProcess> f : started) {
                    f.get();
                }
            }
            gateway = GatewayTestSupport.startGateway("gw1", "127.0.0.1:1",
                    "--pohmelfs.gateway.zookeeper.connect=" + zk.connectString(),
                    "--pohmelfs.gateway.zookeeper.session-timeout=2s",
                    "--pohmelfs.gateway.replication.node-timeout=1s",
                    "--pohmelfs.gateway.replication.authority-timeout=3s",
                    // the disk tier on, so its metrics exist for the dashboard's queries
                    "--pohmelfs.gateway.cache.disk.dir=" + dir.resolve("gw-cache"));
            String gw = GatewayTestSupport.baseUrl(gateway);
            Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> status(gw, "GET", "/actuator/health/readiness") == 200);

            int port = NodeProcess.freePort();
            prometheus = startPrometheus(port, gw, nodes);
            String api = "http://127.0.0.1:" + port;
            traffic(gw);

            for (Query q : dashboards) {
                awaitData(api, q, () -> traffic(gw));
            }

            // Two nodes fenced: out of sync, and a single node in the in-sync set.
            assertThat(mapTool("fence", zk.connectString(), "node2")).isZero();
            assertThat(mapTool("fence", zk.connectString(), "node3")).isZero();
            for (Query q : alerts) {
                if (q.name().equals("PohmelfsNodeOutOfSync") || q.name().equals("PohmelfsInSyncSetSmall")) {
                    awaitData(api, q, () -> { });
                }
            }

            // The lock authority hung (SIGSTOP): the gateway cannot renew, and the leases it took for the
            // traffic run out unrenewed while it has been taking requests. (ZooKeeper gone, below, no longer
            // brings this about: a gateway that loses ZooKeeper drops its cache at once, design.md §4.4.)
            traffic(gw);
            nodes.getFirst().suspend();
            try {
                for (Query q : alerts) {
                    if (q.name().equals(EXPIRED_LEASES)) {
                        awaitData(api, q, () -> { });
                    }
                }
            } finally {
                nodes.getFirst().resume();
            }

            // ZooKeeper gone: the nodes refuse everything and the gateway answers 503.
            traffic(gw);
            zk.close();
            for (Query q : alerts) {
                if (!q.name().equals("PohmelfsNodeOutOfSync") && !q.name().equals("PohmelfsInSyncSetSmall")
                        && !q.name().equals(EXPIRED_LEASES)) {
                    awaitData(api, q, () -> traffic(gw));
                }
            }
        } finally {
            if (prometheus != null) {
                prometheus.destroy();
                if (!prometheus.waitFor(10, TimeUnit.SECONDS)) {
                    prometheus.destroyForcibly();
                }
            }
            if (gateway != null) {
                gateway.close();
            }
            for (NodeProcess n : nodes) {
                n.close();
            }
            zk.close();
        }
    }

    /** Evaluates {@code q} until it returns data (or only until it parses, for a pending metric). */
    private static void awaitData(String api, Query q, Runnable meanwhile) {
        boolean pending = PENDING.stream().anyMatch(q.expr()::contains);
        try {
            Awaitility.await().atMost(Duration.ofSeconds(pending ? 5 : 45))
                    // the first evaluation at once: most queries have data by then, and there are 30+ of them
                    .pollDelay(Duration.ZERO).pollInterval(Duration.ofSeconds(1))
                    .until(() -> {
                        JsonNode answer = evaluate(api, q.promql());
                        assertThat(answer.path("status").asString()).as("%s: %s", q, answer).isEqualTo("success");
                        if (pending) {
                            return true;
                        }
                        if (answer.path("data").path("result").isEmpty()) {
                            meanwhile.run();
                            return false;
                        }
                        return true;
                    });
        } catch (ConditionTimeoutException e) {
            String targets;
            try {
                targets = targets(api);
            } catch (IOException | InterruptedException x) {
                targets = x.toString();
            }
            throw new AssertionError("no data for " + q + " (evaluated as " + q.promql() + "); targets: " + targets, e);
        }
    }

    /** Each scrape target's health and last error, for a failure's message. */
    private static String targets(String api) throws IOException, InterruptedException {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(api + "/api/v1/targets")).build(),
                HttpResponse.BodyHandlers.ofString());
        List<String> t = new ArrayList<>();
        for (JsonNode target : JSON.readTree(r.body()).path("data").path("activeTargets")) {
            t.add(target.path("scrapeUrl").asString() + " " + target.path("health").asString() + " "
                    + target.path("lastError").asString());
        }
        return t.toString();
    }

    private static JsonNode evaluate(String api, String promql) throws IOException, InterruptedException {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(api + "/api/v1/query?query="
                + URLEncoder.encode(promql, StandardCharsets.UTF_8))).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
        return JSON.readTree(r.body());
    }

    private Process startPrometheus(int port, String gateway, List<NodeProcess> nodes) throws IOException {
        String nodeTargets = nodes.stream().map(n -> "'" + URI.create(n.httpBase()).getAuthority() + "'")
                .collect(Collectors.joining(", "));
        Path config = dir.resolve("prometheus.yml");
        Files.writeString(config, """
                global:
                  scrape_interval: 2s
                  scrape_timeout: 2s
                  evaluation_interval: 2s
                rule_files: ['%s']
                scrape_configs:
                  - job_name: pohmelfs-node
                    metrics_path: /actuator/prometheus
                    static_configs: [{targets: [%s]}]
                  - job_name: pohmelfs-gateway
                    metrics_path: /actuator/prometheus
                    static_configs: [{targets: ['%s']}]
                """.formatted(ALERTS, nodeTargets, URI.create(gateway).getAuthority()));
        Process p = new ProcessBuilder("prometheus", "--config.file=" + config, "--storage.tsdb.path=" + dir.resolve("tsdb"),
                "--web.listen-address=127.0.0.1:" + port).redirectErrorStream(true)
                .redirectOutput(dir.resolve("prometheus.log").toFile()).start();
        try {
            Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> {
                assertThat(p.isAlive()).as("prometheus exited; see %s", dir.resolve("prometheus.log")).isTrue();
                try {
                    return status("http://127.0.0.1:" + port, "GET", "/-/ready") == 200;
                } catch (IOException e) {
                    return false;
                }
            });
        } catch (RuntimeException | Error e) {
            p.destroyForcibly();
            throw e;
        }
        return p;
    }

    /**
     * Some of everything the panels count: uploads, reads (from the nodes, then from the
     * cache), listings over REST and WebDAV, a missing file, a delete. Errors are ignored: once
     * ZooKeeper is gone they are what the error-rate alert needs.
     */
    private static void traffic(String gw) {
        try {
            for (int i = 0; i < 5; i++) {
                send(gw, "PUT", "/api/v1/files/mon/f" + i + "?parents=true", ("file " + i).getBytes(StandardCharsets.UTF_8));
            }
            for (int round = 0; round < 3; round++) {
                for (int i = 0; i < 5; i++) {
                    send(gw, "GET", "/api/v1/files/mon/f" + i, null);
                    send(gw, "HEAD", "/dav/mon/f" + i, null);
                }
                send(gw, "GET", "/api/v1/files/mon", null);
                send(gw, "PROPFIND", "/dav/mon/", null);
                send(gw, "GET", "/api/v1/files/mon/missing", null);
            }
            send(gw, "DELETE", "/api/v1/files/mon/f4", null);
        } catch (IOException e) {
            // a refused request is traffic too
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static int send(String base, String method, String path, byte[] body) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(10))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
        if (method.equals("PROPFIND")) {
            b.header("Depth", "1");
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    private static int status(String base, String method, String path) throws IOException, InterruptedException {
        return send(base, method, path, null);
    }

    private static int mapTool(String command, String connect, String node) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        return MapTool.run(new String[] {command, connect, CLUSTER, node}, new PrintStream(out), new PrintStream(out));
    }

    private static void requireTool(String tool) {
        boolean found = Arrays.stream(System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator))
                .anyMatch(d -> Files.isExecutable(Path.of(d, tool)));
        if (!found && !"1".equals(System.getenv("POHMELFS_REQUIRE_CLIENTS"))) {
            Assumptions.abort(tool + " is not installed (apt-get install prometheus)");
        }
        assertThat(found).as("%s on the PATH (apt-get install prometheus)", tool).isTrue();
    }

    private static String run(List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as("%s: %s", command, out).isZero();
        return out;
    }

}
