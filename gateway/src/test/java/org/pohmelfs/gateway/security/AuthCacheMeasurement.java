package org.pohmelfs.gateway.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.pohmelfs.gateway.rest.GatewayTestSupport;
import org.pohmelfs.gateway.testing.LocalNodes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Requests per second of authenticated GETs (HTTP Basic, Argon2id hash) with and without the
 * verification cache, and without authentication for comparison (docs/benchmarks.md). Not run by default:
 * {@code -Dtest=AuthCacheMeasurement -Dauth.measure=true [-Dauth.requests=2000 -Dauth.uncached=200]}.
 */
class AuthCacheMeasurement {
    private static final Logger LOG = LoggerFactory.getLogger("org.pohmelfs.gateway.multi");

    @Test
    void basicGetsWithAndWithoutTheVerificationCache() throws Exception {
        Assumptions.assumeTrue(Boolean.getBoolean("auth.measure"), "a measurement: -Dauth.measure=true");
        int cachedRequests = Integer.getInteger("auth.requests", 2000);
        int uncachedRequests = Integer.getInteger("auth.uncached", 200);
        Path dir = Files.createTempDirectory("auth-measure");
        String hash = Passwords.hash("s3cret");
        try (LocalNodes nodes = LocalNodes.start(dir, 1)) {
            List<String> lines = new ArrayList<>();
            for (String cache : List.of("off", "5m", "0s")) {
                ConfigurableApplicationContext gw = GatewayTestSupport.startGateway("gw-measure", nodes.addresses(),
                        "--pohmelfs.gateway.auth.enabled=" + !cache.equals("off"),
                        "--pohmelfs.gateway.auth.verification-cache=" + (cache.equals("off") ? "0s" : cache),
                        "--pohmelfs.gateway.auth.users[0].name=alice", "--pohmelfs.gateway.auth.users[0].password=" + hash,
                        "--logging.level.pohmelfs.security=WARN");
                try {
                    int n = cache.equals("0s") ? uncachedRequests : cachedRequests;
                    String url = GatewayTestSupport.baseUrl(gw) + "/api/v1/files/m.txt";
                    HttpClient http = HttpClient.newHttpClient();
                    String auth = "Basic " + Base64.getEncoder().encodeToString("alice:s3cret".getBytes(StandardCharsets.UTF_8));
                    http.send(HttpRequest.newBuilder(URI.create(url)).header("Authorization", auth)
                            .PUT(HttpRequest.BodyPublishers.ofString("x".repeat(4096))).build(),
                            HttpResponse.BodyHandlers.discarding());
                    run(http, url, auth, Math.max(20, n / 10), 4); // warm-up
                    long start = System.nanoTime();
                    run(http, url, auth, n, 4);
                    double seconds = (System.nanoTime() - start) / 1e9;
                    lines.add(String.format((cache.equals("off") ? "no authentication (%s)" : "verification-cache=%s") + ": %d GETs of 4 KiB, 4 at a time, in %.2f s: %.0f req/s",
                            cache, n, seconds, n / seconds));
                } finally {
                    gw.close();
                }
            }
            lines.forEach(l -> LOG.info("auth measurement: {}", l));
            lines.forEach(System.out::println);
        }
    }

    private static void run(HttpClient http, String url, String auth, int count, int concurrency) throws Exception {
        AtomicInteger left = new AtomicInteger(count);
        try (ExecutorService pool = Executors.newFixedThreadPool(concurrency)) {
            List<Future<?>> workers = new ArrayList<>();
            for (int i = 0; i < concurrency; i++) {
                workers.add(pool.submit(() -> {
                    HttpRequest get = HttpRequest.newBuilder(URI.create(url)).header("Authorization", auth).build();
                    while (left.getAndDecrement() > 0) {
                        assertThat(http.send(get, HttpResponse.BodyHandlers.discarding()).statusCode()).isEqualTo(200);
                    }
                    return null;
                }));
            }
            for (Future<?> w : workers) {
                w.get();
            }
        }
    }
}
