package org.pohmelfs.gateway.failover;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.pohmelfs.gateway.testing.GatewayProcess;
import org.pohmelfs.testing.FaultProxy;

/**
 * Split reads with real processes (issue #6, design.md §4.3): two storage-node processes that
 * follow a map in ZooKeeper, each behind a {@link FaultProxy} whose node-to-gateway direction
 * is limited to 20 MiB/s, and a gateway process. One GET of a 64 MiB file must be served by
 * both nodes, each a substantial share, by the gateway's per-node byte counters and by the
 * bytes each proxy carried, and arrive byte for byte. Counters only: no timing is asserted
 * (the speed-up is measured by {@code benchmarks} {@code SplitReadBench}).
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class SplitReadProcessTest {
    private static final int SIZE = 64 * 1024 * 1024;
    private static final long LINK = 20L * 1024 * 1024;
    private static final HttpClient http = HttpClient.newHttpClient();

    @TempDir
    Path dir;

    @Test
    void oneLargeGetIsServedByBothReplicasOverLimitedLinks() throws Exception {
        try (FailoverCluster cluster = FailoverCluster.start(dir, 2)) {
            GatewayProcess gw = cluster.startGateway("gw1");
            byte[] body = new byte[SIZE];
            new Random(6).nextBytes(body);
            HttpResponse<Void> put = http.send(HttpRequest.newBuilder(URI.create(gw.baseUrl() + "/api/v1/files/big.bin"))
                    .PUT(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.discarding());
            assertThat(put.statusCode()).isEqualTo(201);

            Map<String, Double> before = readBytes(gw);
            long[] carried = new long[2];
            for (int i = 0; i < 2; i++) {
                cluster.proxy(i).bandwidth(FaultProxy.Direction.DOWNSTREAM, LINK);
                carried[i] = cluster.proxy(i).forwarded(FaultProxy.Direction.DOWNSTREAM);
            }
            HttpResponse<byte[]> get = http.send(HttpRequest.newBuilder(URI.create(gw.baseUrl() + "/api/v1/files/big.bin"))
                    .timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofByteArray());
            assertThat(get.statusCode()).isEqualTo(200);
            assertThat(get.body().length).isEqualTo(SIZE);
            assertThat(java.util.Arrays.equals(get.body(), body)).as("byte-identical").isTrue();

            Map<String, Double> after = readBytes(gw);
            double total = 0;
            for (int i = 0; i < 2; i++) {
                String node = "node" + (i + 1);
                double served = after.getOrDefault(node, 0.0) - before.getOrDefault(node, 0.0);
                long through = cluster.proxy(i).forwarded(FaultProxy.Direction.DOWNSTREAM) - carried[i];
                total += served;
                assertThat(served).as("file bytes %s served by the gateway's counter (%s -> %s)", node, before, after)
                        .isGreaterThanOrEqualTo(0.25 * SIZE);
                assertThat(through).as("bytes through %s's proxy", node).isGreaterThanOrEqualTo((long) (0.25 * SIZE));
            }
            // The GET (and the HEAD-like first chunk) read the file once: nothing was read twice.
            assertThat(total).isBetween((double) SIZE, SIZE * 1.1);
        }
    }

    /** {@code pohmelfs.gateway.replication.read.bytes} per node, from the gateway's Prometheus page. */
    private static Map<String, Double> readBytes(GatewayProcess gw) throws Exception {
        String page = http.send(HttpRequest.newBuilder(URI.create(gw.baseUrl() + "/actuator/prometheus")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        Matcher m = Pattern.compile("(?m)^pohmelfs_gateway_replication_read_bytes_total\\{([^}]*)} ([0-9.E+]+)$")
                .matcher(page);
        Map<String, Double> out = new HashMap<>();
        while (m.find()) {
            Matcher node = Pattern.compile("node=\"([^\"]+)\"").matcher(m.group(1));
            if (node.find()) {
                out.merge(node.group(1), Double.parseDouble(m.group(2)), Double::sum);
            }
        }
        return out;
    }
}
