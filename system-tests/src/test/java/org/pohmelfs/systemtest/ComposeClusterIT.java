package org.pohmelfs.systemtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.pohmelfs.systemtest.SystemTestSupport.awaitProgress;
import static org.pohmelfs.systemtest.SystemTestSupport.awaitReady;
import static org.pohmelfs.systemtest.SystemTestSupport.checkAcknowledged;
import static org.pohmelfs.systemtest.SystemTestSupport.loopback;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The shipped {@code docker-compose.yml} with {@code docker-compose.host.yml} (host networking,
 * the images of this build, free loopback ports): one {@code up -d} brings up ZooKeeper, the
 * map init, three nodes and two gateways in their start order; a file written through either
 * gateway is read through the other; a node container is killed ({@code docker-compose kill},
 * SIGKILL) under a load over both gateways, no request fails and every acknowledged write
 * reads back through both; {@code down -v} removes containers and volumes. With the
 * {@code prometheus} profile (the upstream image, or the stand-in {@code bin/build-prometheus-image}
 * builds), Prometheus scrapes all five, and sees the killed node go down.
 */
class ComposeClusterIT {
    private static final Logger log = LoggerFactory.getLogger(ComposeClusterIT.class);
    private static final Duration UP_TIMEOUT = Duration.ofMinutes(10);

    private final Rest rest = new Rest();
    private final Map<String, String> env = new HashMap<>();
    private String project;
    private Path logDir;
    private List<URI> gateways;
    private ComposePrometheus prometheus;
    private String node3Metrics;
    private String prometheusImage;

    @BeforeEach
    void up() throws Exception {
        project = "pohmelfs-it-" + Long.toHexString(ThreadLocalRandom.current().nextLong() & 0xffffffffL);
        logDir = Path.of("target", "compose-logs");
        Files.createDirectories(logDir);
        List<Integer> p = SystemTestSupport.freePorts(10);
        env.put("POHMELFS_NODE_IMAGE", SystemTestSupport.nodeImage());
        env.put("POHMELFS_GATEWAY_IMAGE", SystemTestSupport.gatewayImage());
        env.put("POHMELFS_ZK_PORT", "" + p.get(0));
        for (int i = 1; i <= 3; i++) {
            env.put("POHMELFS_NODE" + i + "_PORT", "" + p.get(i));
            env.put("POHMELFS_NODE" + i + "_HTTP_PORT", "" + p.get(3 + i));
        }
        env.put("POHMELFS_GW1_PORT", "" + p.get(7));
        env.put("POHMELFS_GW2_PORT", "" + p.get(8));
        gateways = List.of(loopback(p.get(7)), loopback(p.get(8)));
        prometheusImage = ComposePrometheus.image(SystemTestSupport.root());
        if (prometheusImage == null && "1".equals(System.getenv("POHMELFS_REQUIRE_CLIENTS"))) {
            throw new AssertionError("no Prometheus image and POHMELFS_REQUIRE_CLIENTS=1: install the prometheus package");
        }
        if (prometheusImage != null) {
            env.put("POHMELFS_PROMETHEUS_IMAGE", prometheusImage);
            env.put("POHMELFS_PROMETHEUS_PORT", "" + p.get(9));
            env.put("POHMELFS_PROMETHEUS_CONFIG", ComposePrometheus.config(logDir, project,
                    List.of(p.get(4), p.get(5), p.get(6)), List.of(p.get(7), p.get(8))).toString());
            prometheus = new ComposePrometheus(p.get(9));
            node3Metrics = "127.0.0.1:" + p.get(6);
        }
        compose(UP_TIMEOUT, "up", "-d");
        awaitReady(rest, gateways, Duration.ofMinutes(6));
    }

    @AfterEach
    void down() throws Exception {
        if (project == null) {
            return;
        }
        try {
            compose(Duration.ofMinutes(2), "logs", "--no-color", "--timestamps");
        } finally {
            compose(Duration.ofMinutes(3), "down", "-v", "--remove-orphans", "-t", "5");
        }
    }

    @Test
    void bothGatewaysServeTheSameTreeAndAKilledNodeFailsNoRequest() throws Exception {
        byte[] one = "written through gw1".getBytes(StandardCharsets.UTF_8);
        byte[] two = "written through gw2".getBytes(StandardCharsets.UTF_8);
        assertThat(rest.put(gateways.get(0), "/compose/one.txt?parents=true", one)).isEqualTo(201);
        assertThat(rest.put(gateways.get(1), "/compose/two.txt?parents=true", two)).isEqualTo(201);
        assertThat(rest.get(gateways.get(1), "/compose/one.txt").body()).isEqualTo(one);
        assertThat(rest.get(gateways.get(0), "/compose/two.txt").body()).isEqualTo(two);
        if (prometheus != null) {
            // Every node and gateway is scraped, and the gateways' request metrics arrive.
            Awaitility.await("Prometheus scrapes all five").atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(500))
                    .until(() -> prometheus.query("up").values().stream().filter("1"::equals).count() == 5);
            assertThat(prometheus.query("sum by (instance) (http_server_requests_seconds_count{job=\"pohmelfs-gateway\"})"))
                    .as("request counts of both gateways").hasSize(2);
        }

        Map<String, String> acknowledged;
        List<String> failures;
        try (Load load = new Load(gateways, "/compose/load", 4, 2_000).start()) {
            awaitProgress(load, 40, Duration.ofMinutes(2));
            compose(Duration.ofMinutes(1), "kill", "node3");
            awaitProgress(load, 80, Duration.ofMinutes(3));
            load.close();
            acknowledged = load.acknowledged();
            failures = load.failures();
        }
        log.info("compose: {} acknowledged writes, {} failures", acknowledged.size(), failures.size());
        assertThat(failures).as("failed requests").isEmpty();
        checkAcknowledged(rest, acknowledged, gateways);
        if (prometheus != null) {
            Awaitility.await("Prometheus sees node3 down").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500))
                    .until(() -> "0".equals(prometheus.query("up").get(node3Metrics)));
        }
    }

    /** Runs docker-compose on the shipped file and the host override; fails on a non-zero exit. */
    private void compose(Duration timeout, String... args) throws IOException, InterruptedException {
        Path root = SystemTestSupport.root();
        List<String> command = new ArrayList<>(List.of("docker-compose", "-p", project,
                "-f", root.resolve("docker-compose.yml").toString(),
                "-f", root.resolve("docker-compose.host.yml").toString()));
        if (prometheusImage != null) {
            command.addAll(List.of("--profile", "prometheus"));
        }
        command.addAll(List.of(args));
        Path out = logDir.resolve(project + "-" + args[0] + ".log");
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile());
        pb.environment().putAll(env);
        Process process = pb.start();
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly().waitFor();
            throw new AssertionError(String.join(" ", command) + " did not finish in " + timeout + "; see " + out);
        }
        if (process.exitValue() != 0) {
            throw new AssertionError(String.join(" ", command) + " exited " + process.exitValue() + ":\n"
                    + Files.readString(out));
        }
    }
}
