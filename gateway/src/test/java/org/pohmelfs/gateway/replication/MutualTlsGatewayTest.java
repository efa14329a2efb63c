package org.pohmelfs.gateway.replication;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

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
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.pohmelfs.gateway.rest.GatewayTestSupport;
import org.pohmelfs.gateway.testing.LocalNodes;
import org.pohmelfs.node.store.StoreSettings;
import org.pohmelfs.testing.LogCapture;
import org.pohmelfs.transport.pki.ClusterPki;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * A real gateway and real nodes that require mutual TLS, with the certificates of
 * {@code bin/pohmelfs certs}: replicated writes and reads work; a plaintext gateway and a
 * gateway of another CA are refused, and the refusing side's log says why.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class MutualTlsGatewayTest {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @TempDir
    Path dir;

    private LocalNodes nodes;
    private final List<ConfigurableApplicationContext> gateways = new ArrayList<>();
    private LogCapture logs;

    @AfterEach
    void stop() {
        if (logs != null) {
            logs.close();
        }
        gateways.forEach(ConfigurableApplicationContext::close);
        if (nodes != null) {
            nodes.close();
        }
    }

    /** Three nodes requiring TLS with the certificates in {@code certs}. */
    private void startNodes(Path certs) throws Exception {
        nodes = new LocalNodes().requireTls(certs);
        for (int i = 1; i <= 3; i++) {
            nodes.add(dir, "node" + i, StoreSettings.defaults(Files.createDirectories(dir.resolve("node" + i))));
        }
    }

    private ConfigurableApplicationContext gateway(String... tls) {
        List<String> args = new ArrayList<>(List.of(tls));
        // A refused node fails the request once these run out (instead of the 30 s default).
        args.addAll(List.of("--pohmelfs.gateway.connect-timeout=2s", "--pohmelfs.gateway.request-timeout=5s"));
        ConfigurableApplicationContext gw = GatewayTestSupport.startGateway("gw1", nodes.addresses(),
                args.toArray(String[]::new));
        gateways.add(gw);
        // Spring Boot resets the logging configuration when a context starts: capture after that.
        logs = LogCapture.of("org.pohmelfs");
        return gw;
    }

    private static String[] tls(Path certs) {
        return new String[] {"--pohmelfs.gateway.tls.certificate=" + certs.resolve("gw1.pem"),
                "--pohmelfs.gateway.tls.private-key=" + certs.resolve("gw1-key.pem"),
                "--pohmelfs.gateway.tls.trusted-ca=" + certs.resolve("ca.pem"),
                "--pohmelfs.gateway.tls.required=true"};
    }

    private static HttpResponse<String> send(ConfigurableApplicationContext gw, String method, String path, String body)
            throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(GatewayTestSupport.baseUrl(gw) + path))
                .timeout(Duration.ofSeconds(90))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body))
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    private void awaitLog(String... parts) {
        await().atMost(15, TimeUnit.SECONDS).untilAsserted(() -> assertThat(logs.lines())
                .anySatisfy(line -> assertThat(line).contains(parts)));
    }

    @Test
    void replicatedWritesAndReadsWorkOverMutualTls() throws Exception {
        Path certs = dir.resolve("certs");
        ClusterPki.issue(ClusterPki.Request.of(certs, 3, 1));
        startNodes(certs);
        ConfigurableApplicationContext gw = gateway(tls(certs));

        assertThat(send(gw, "PUT", "/api/v1/files/tls/hello.txt?parents=true", "over TLS").statusCode())
                .isEqualTo(201);
        assertThat(send(gw, "GET", "/api/v1/files/tls/hello.txt", null).body()).isEqualTo("over TLS");
        for (int i = 1; i <= 3; i++) {
            assertThat(dir.resolve("node" + i).resolve("tls/hello.txt")).as("replica on node" + i)
                    .hasContent("over TLS");
        }
        assertThat(logs.lines()).noneMatch(l -> l.contains("TLS handshake failed") || l.contains("refus"));
    }

    @Test
    void aNodeRequiringTlsRefusesAPlaintextGatewayAndLogsIt() throws Exception {
        Path certs = dir.resolve("certs");
        ClusterPki.issue(ClusterPki.Request.of(certs, 3, 1));
        startNodes(certs);
        ConfigurableApplicationContext gw = gateway();

        HttpResponse<String> put = send(gw, "PUT", "/api/v1/files/plain.txt", "plaintext");
        assertThat(put.statusCode()).as(put.body()).isGreaterThanOrEqualTo(500);
        assertThat(nodes.get(0).export().resolve("plain.txt")).doesNotExist();
        awaitLog("WARN", "refused peer 'gw1'", "requires TLS and the connection is plaintext");
    }

    @Test
    void aGatewayRefusesNodesWhoseCertificatesItsCaDidNotSignAndLogsTheNodeAndWhy() throws Exception {
        Path clusterCerts = dir.resolve("certs");
        Path otherCerts = dir.resolve("other-cluster");
        ClusterPki.issue(ClusterPki.Request.of(clusterCerts, 3, 0));
        ClusterPki.issue(ClusterPki.Request.of(otherCerts, 0, 1));
        startNodes(clusterCerts);
        ConfigurableApplicationContext gw = gateway(tls(otherCerts));

        HttpResponse<String> put = send(gw, "PUT", "/api/v1/files/x.txt", "x");
        assertThat(put.statusCode()).as(put.body()).isGreaterThanOrEqualTo(500);
        awaitLog("WARN", "refused node at " + nodes.get(0).address(), "TLS handshake failed",
                "node certificate 'CN=node1,O=pohmelfs' not trusted");
    }

    @Test
    void readsGoToAnotherNodeWhenOneRefusesTheGatewaysHandshake() throws Exception {
        Path certs = dir.resolve("certs");
        Path otherCerts = dir.resolve("other-cluster");
        ClusterPki.issue(ClusterPki.Request.of(certs, 3, 1));
        ClusterPki.issue(ClusterPki.Request.of(otherCerts, 1, 0));
        // node1 (the first: the static list's authority) has a certificate of another CA and trusts only that CA.
        nodes = new LocalNodes().requireTls(otherCerts);
        nodes.add(dir, "node1", StoreSettings.defaults(Files.createDirectories(dir.resolve("node1"))));
        nodes.requireTls(certs);
        for (int i = 2; i <= 3; i++) {
            Path export = Files.createDirectories(dir.resolve("node" + i));
            nodes.add(dir, "node" + i, StoreSettings.defaults(export));
        }
        for (int f = 0; f < 10; f++) {
            for (int i = 1; i <= 3; i++) {
                Files.writeString(dir.resolve("node" + i).resolve("f" + f + ".txt"), "content " + f);
            }
        }
        ConfigurableApplicationContext gw = gateway(tls(certs));

        for (int f = 0; f < 10; f++) {
            HttpResponse<String> get = send(gw, "GET", "/api/v1/files/f" + f + ".txt", null);
            assertThat(get.statusCode()).as(get.body()).isEqualTo(200);
            assertThat(get.body()).isEqualTo("content " + f);
        }
        HttpResponse<String> put = send(gw, "PUT", "/api/v1/files/new.txt", "x");
        assertThat(put.statusCode()).as(put.body()).isGreaterThanOrEqualTo(500);
    }
}
