package org.pohmelfs.gateway.coherence;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.pohmelfs.gateway.rest.GatewayTestSupport;
import org.pohmelfs.gateway.testing.GatewayProcess;
import org.pohmelfs.gateway.testing.LocalNodes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * A gateway process killed with SIGKILL while it holds shared leases: the node keeps them until
 * they run out, so a write through another gateway waits at most about one lease, then completes,
 * and reads are fresh.
 */
class KilledGatewayTest {
    private static final Logger log = LoggerFactory.getLogger(KilledGatewayTest.class);
    static final Duration LEASE = Duration.ofSeconds(2);
    static final HttpClient http = HttpClient.newHttpClient();

    static HttpResponse<String> send(String base, String method, String path, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(base + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    static double sharedLeasesHeld(LocalNodes.Node node) {
        return node.registry().find("pohmelfs.node.leases.held").tag("mode", "shared").gauge().value();
    }

    @Test
    void aWriteProceedsAfterTheLeasesOfAKilledGatewayRunOut() throws Exception {
        Path tmp = Files.createTempDirectory("killed-gateway");
        try (LocalNodes nodes = LocalNodes.start(tmp, 1, LEASE);
             GatewayProcess doomed = GatewayProcess.start(tmp.resolve("gw.log"), List.of("-Xmx256m"), nodes.addresses(),
                     "--pohmelfs.gateway.id=gw-doomed")) {
            ConfigurableApplicationContext survivor = GatewayTestSupport.startGateway("gw-survivor", nodes.addresses());
            try {
                String a = GatewayTestSupport.baseUrl(survivor);
                String k = doomed.baseUrl();
                assertThat(send(a, "PUT", "/api/v1/files/k/f.txt?parents=true", "old").statusCode()).isEqualTo(201);
                for (int i = 0; i < 3; i++) {
                    assertThat(send(k, "GET", "/api/v1/files/k/f.txt", null).body()).isEqualTo("old");
                    assertThat(send(k, "GET", "/api/v1/files/k/", null).statusCode()).isEqualTo(200);
                }
                assertThat(sharedLeasesHeld(nodes.get(0))).as("leases held by the doomed gateway").isPositive();

                doomed.kill();
                long start = System.nanoTime();
                assertThat(send(a, "PUT", "/api/v1/files/k/f.txt", "new").statusCode()).isBetween(200, 204);
                Duration took = Duration.ofNanos(System.nanoTime() - start);
                log.info("write after SIGKILL of a lease holder took {} ms (lease {} ms)", took.toMillis(), LEASE.toMillis());
                // At most one lease, plus a generous allowance for a loaded machine.
                assertThat(took).isLessThan(LEASE.plusSeconds(5));
                assertThat(send(a, "GET", "/api/v1/files/k/f.txt", null).body()).isEqualTo("new");
                assertThat(sharedLeasesHeld(nodes.get(0))).isLessThanOrEqualTo(2); // only the survivor's own, if any
            } finally {
                survivor.close();
            }
        }
    }
}
