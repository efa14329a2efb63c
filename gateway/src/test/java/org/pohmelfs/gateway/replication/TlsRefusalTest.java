package org.pohmelfs.gateway.replication;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.pohmelfs.cluster.ClusterMap;
import org.pohmelfs.cluster.Member;
import org.pohmelfs.cluster.MemberState;
import org.pohmelfs.gateway.rest.GatewayTestSupport;
import org.pohmelfs.gateway.testing.LocalNodes;
import org.pohmelfs.transport.pki.ClusterPki;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * A refused TLS handshake is not a dead node: three nodes that require mutual TLS follow a map
 * in ZooKeeper; a gateway with a certificate of another CA (the nodes and it refuse each other)
 * fences no node, fails each PUT at once with 502 naming the nodes and why, opens few
 * connections however many requests it gets, and is not ready; the good gateway keeps writing.
 */
class TlsRefusalTest extends ReplicaCluster {
    private Path clusterCerts;
    private Path otherCerts;

    @Override
    Path nodeCertificates() throws Exception {
        clusterCerts = dir.resolve("certs");
        otherCerts = dir.resolve("other-ca");
        ClusterPki.issue(ClusterPki.Request.of(clusterCerts, 3, 2));
        ClusterPki.issue(ClusterPki.Request.of(otherCerts, 0, 2));
        return clusterCerts;
    }

    private static String[] tls(Path certs, String id) {
        return new String[] {"--pohmelfs.gateway.tls.certificate=" + certs.resolve(id + ".pem"),
                "--pohmelfs.gateway.tls.private-key=" + certs.resolve(id + "-key.pem"),
                "--pohmelfs.gateway.tls.trusted-ca=" + certs.resolve("ca.pem"),
                "--pohmelfs.gateway.tls.required=true"};
    }

    /** The handshakes each node refused so far, by its own {@code pohmelfs.node.handshakes.refused}. */
    private List<Long> refusedHandshakes() {
        List<Long> out = new ArrayList<>();
        for (LocalNodes.Node n : nodes.nodes()) {
            var c = n.registry().find("pohmelfs.node.handshakes.refused").counter();
            out.add(c == null ? 0 : (long) c.count());
        }
        return out;
    }

    private static HttpResponse<String> get(ConfigurableApplicationContext gw, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(GatewayTestSupport.baseUrl(gw) + path))
                .timeout(Duration.ofSeconds(30)).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aGatewayOfAnotherCaFencesNoNodeFailsFastOpensFewConnectionsAndIsNotReady() throws Exception {
        ClusterMap before = initialize();
        ConfigurableApplicationContext good = gateway("gw1", tls(clusterCerts, "gw1"));
        assertThat(send(good, "PUT", "/api/v1/files/before.txt", "before".getBytes()).statusCode()).isEqualTo(201);
        ConfigurableApplicationContext bad = gateway("gw2", tls(otherCerts, "gw2"));

        // Five seconds of writes through the gateway the nodes refuse.
        long end = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        int puts = 0;
        long slowestMillis = 0;
        while (System.nanoTime() < end) {
            long start = System.nanoTime();
            HttpResponse<byte[]> put = send(bad, "PUT", "/api/v1/files/bad-" + puts + ".txt", "x".getBytes());
            slowestMillis = Math.max(slowestMillis, Duration.ofNanos(System.nanoTime() - start).toMillis());
            String body = new String(put.body(), StandardCharsets.UTF_8);
            assertThat(put.statusCode()).as(body).isEqualTo(502);
            assertThat(body).contains("NODE_REFUSED", "TLS handshake failed", nodes.get(0).address(),
                    "node certificate 'CN=node1,O=pohmelfs' not trusted");
            puts++;
        }
        List<Long> refused = refusedHandshakes();
        System.out.printf("TlsRefusalTest: %d PUTs through the refused gateway in 5 s, slowest %d ms; "
                + "handshakes refused per node: %s%n", puts, slowestMillis, refused);
        assertThat(slowestMillis).as("a refused PUT fails fast, not at the request timeout").isLessThan(3_000);
        assertThat(puts).isGreaterThan(5);
        // Backoff 200 ms doubling: about six attempts in 5 s (the count includes the readiness probe below: none yet).
        assertThat(refused).allSatisfy(n -> assertThat(n).isBetween(1L, 10L));

        HttpResponse<String> ready = get(bad, "/actuator/health/readiness");
        assertThat(ready.statusCode()).as(ready.body()).isEqualTo(503);
        assertThat(ready.body()).contains("every node refused this gateway's handshake", "not trusted");
        assertThat(get(good, "/actuator/health/readiness").statusCode()).isEqualTo(200);

        ClusterMap after = store.readLatest().orElseThrow().map();
        assertThat(after.epoch()).as("no map change: nobody fenced").isEqualTo(before.epoch());
        assertThat(after.members()).extracting(Member::state).containsOnly(MemberState.IN_SYNC);

        assertThat(send(good, "PUT", "/api/v1/files/after.txt", "after".getBytes()).statusCode()).isEqualTo(201);
        for (int i = 1; i <= 3; i++) {
            assertThat(dir.resolve("node" + i).resolve("after.txt")).as("replica on node" + i).hasContent("after");
            assertThat(dir.resolve("node" + i).resolve("bad-0.txt")).doesNotExist();
        }
    }

    @Test
    void withAStaticNodeListARefusedPutFailsFastInsteadOfAtTheRequestTimeout() throws Exception {
        // No ZooKeeper: a static list, where nothing gives up on a node before the request timeout (30 s).
        ConfigurableApplicationContext bad = GatewayTestSupport.startGateway("gw2", nodes.addresses(),
                tls(otherCerts, "gw2"));
        gateways.add(bad);
        long start = System.nanoTime();
        HttpResponse<byte[]> put = send(bad, "PUT", "/api/v1/files/static.txt", "x".getBytes());
        long millis = Duration.ofNanos(System.nanoTime() - start).toMillis();
        String body = new String(put.body(), StandardCharsets.UTF_8);
        assertThat(put.statusCode()).as(body).isEqualTo(502);
        assertThat(body).contains("TLS handshake failed", "not trusted");
        assertThat(millis).isLessThan(3_000);
        assertThat(Files.exists(dir.resolve("node1").resolve("static.txt"))).isFalse();
        // WebDAV answers the same 502, for a change and for a read.
        HttpResponse<byte[]> davPut = send(bad, "PUT", "/dav/static-dav.txt", "x".getBytes());
        assertThat(davPut.statusCode()).as(new String(davPut.body(), StandardCharsets.UTF_8)).isEqualTo(502);
        HttpResponse<byte[]> davGet = send(bad, "GET", "/dav/before-nothing.txt", null);
        assertThat(davGet.statusCode()).as(new String(davGet.body(), StandardCharsets.UTF_8)).isEqualTo(502);
        assertThat(Files.exists(dir.resolve("node1").resolve("static-dav.txt"))).isFalse();
    }
}
