package org.pohmelfs.systemtest;

import java.io.IOException;
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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The compose cluster's Prometheus (profile {@code prometheus} of docker-compose.host.yml): its
 * image (prom/prometheus, or the stand-in that {@code bin/build-prometheus-image} builds from
 * the Debian package when no registry is reachable), a scrape configuration for the test's
 * ports, and instant queries through the HTTP API.
 */
final class ComposePrometheus {
    private static final Logger log = LoggerFactory.getLogger(ComposePrometheus.class);
    static final String STAND_IN = "pohmelfs/prometheus:local";
    /** One sample of an instant vector: its {@code instance} label and its value. */
    private static final Pattern SAMPLE = Pattern.compile(
            "\"metric\":\\{[^}]*?\"instance\":\"([^\"]+)\"[^}]*}\\s*,\\s*\"value\":\\[[^,]+,\"([^\"]+)\"]");

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final URI base;

    ComposePrometheus(int port) {
        this.base = URI.create("http://127.0.0.1:" + port);
    }

    /**
     * The image to run: {@code pohmelfs.it.prometheusImage} if set, else the stand-in, built now
     * if missing. Null when it cannot be had (no prometheus binary on this host).
     */
    static String image(Path root) throws IOException, InterruptedException {
        String named = System.getProperty("pohmelfs.it.prometheusImage", "");
        if (!named.isBlank()) {
            return named;
        }
        Process p = new ProcessBuilder(root.resolve("bin/build-prometheus-image").toString(), STAND_IN)
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(3, TimeUnit.MINUTES) || p.exitValue() != 0) {
            log.warn("no Prometheus image: {}", out.strip());
            return null;
        }
        log.info("{}", out.strip());
        return STAND_IN;
    }

    /** Writes a scrape configuration for the nodes' and gateways' HTTP ports (1 s interval). */
    static Path config(Path dir, String name, List<Integer> nodeHttpPorts, List<Integer> gatewayPorts)
            throws IOException {
        String yaml = """
                global:
                  scrape_interval: 1s
                  scrape_timeout: 1s
                scrape_configs:
                  - job_name: pohmelfs-storage-node
                    metrics_path: /actuator/prometheus
                    static_configs:
                      - targets: %s
                  - job_name: pohmelfs-gateway
                    metrics_path: /actuator/prometheus
                    static_configs:
                      - targets: %s
                """.formatted(targets(nodeHttpPorts), targets(gatewayPorts));
        Path file = dir.resolve(name + "-prometheus.yml").toAbsolutePath();
        Files.writeString(file, yaml);
        return file;
    }

    private static String targets(List<Integer> ports) {
        List<String> quoted = new ArrayList<>();
        for (int port : ports) {
            quoted.add("\"127.0.0.1:" + port + "\"");
        }
        return "[" + String.join(", ", quoted) + "]";
    }

    /** The samples of an instant query, by instance; empty while Prometheus does not answer. */
    Map<String, String> query(String promql) {
        Map<String, String> samples = new LinkedHashMap<>();
        try {
            URI uri = base.resolve("/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8));
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200 || !r.body().contains("\"status\":\"success\"")) {
                return samples;
            }
            Matcher m = SAMPLE.matcher(r.body());
            while (m.find()) {
                samples.put(m.group(1), m.group(2));
            }
        } catch (IOException e) {
            log.debug("Prometheus not answering yet: {}", e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return samples;
    }
}
