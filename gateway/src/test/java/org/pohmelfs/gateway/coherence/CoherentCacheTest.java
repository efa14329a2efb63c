package org.pohmelfs.gateway.coherence;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.pohmelfs.gateway.rest.GatewayTestSupport;
import org.pohmelfs.gateway.testing.LocalNodes;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The coherent cache against a real node that grants leases, through two real in-JVM gateways:
 * hot reads send nothing to the node (its own request counters prove it), a change through one
 * gateway is what the other serves next, and a change recalls exactly the affected entries.
 */
class CoherentCacheTest {
    static final Duration LEASE = Duration.ofSeconds(2);
    static final String PROPFIND = "<?xml version=\"1.0\"?><D:propfind xmlns:D=\"DAV:\"><D:allprop/></D:propfind>";
    static LocalNodes nodes;
    static ConfigurableApplicationContext a;
    static ConfigurableApplicationContext b;
    static final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void start() throws Exception {
        nodes = LocalNodes.start(Files.createTempDirectory("coherent-cache"), 1, LEASE);
        a = GatewayTestSupport.startGateway("gw-a", nodes.addresses());
        b = GatewayTestSupport.startGateway("gw-b", nodes.addresses());
    }

    @AfterAll
    static void stop() {
        if (a != null) {
            a.close();
        }
        if (b != null) {
            b.close();
        }
        nodes.close();
    }

    static HttpResponse<byte[]> send(ConfigurableApplicationContext gw, String method, String path, byte[] body,
                                     String... headers) throws Exception {
        HttpRequest.Builder r = HttpRequest.newBuilder(URI.create(GatewayTestSupport.baseUrl(gw) + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
        if (headers.length > 0) {
            r.headers(headers);
        }
        return http.send(r.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    static String text(HttpResponse<byte[]> r) {
        return new String(r.body(), StandardCharsets.UTF_8);
    }

    /** Every request the node finished, except the automatic RENEWs (they depend on time, not on reads). */
    static long nodeOps() {
        LocalNodes.Node n = nodes.get(0);
        return n.requests() - n.requests("renew");
    }

    static String byCommand() {
        StringBuilder sb = new StringBuilder();
        for (String c : new String[]{"read", "stat", "list", "xattr_list", "xattr_get", "acquire", "release", "transaction"}) {
            sb.append(c).append('=').append(nodes.get(0).requests(c)).append(' ');
        }
        nodes.get(0).registry().find("pohmelfs.node.requests").timers()
                .forEach(t -> sb.append(t.getId().getTags()).append('=').append(t.count()).append(' '));
        return sb.toString();
    }

    static LeaseCache cache(ConfigurableApplicationContext gw) {
        return gw.getBean(LeaseCache.class);
    }

    @Test
    void hotReadsSendNothingToTheNode() throws Exception {
        byte[] content = new byte[4096];
        Arrays.fill(content, (byte) 'h');
        assertThat(send(a, "PUT", "/api/v1/files/hot/a.txt?parents=true", content).statusCode()).isEqualTo(201);
        assertThat(send(a, "PUT", "/api/v1/files/hot/b.txt", "bee".getBytes()).statusCode()).isEqualTo(201);
        Runnable[] reads = {
            () -> assertStatus(a, "GET", "/api/v1/files/hot/a.txt", 200),
            () -> assertStatus(a, "HEAD", "/api/v1/files/hot/a.txt", 200),
            () -> assertStatus(a, "GET", "/api/v1/files/hot/", 200),
            () -> assertStatus(a, "GET", "/dav/hot/a.txt", 200),
            () -> assertStatus(a, "HEAD", "/dav/hot/a.txt", 200),
            () -> assertStatus(a, "PROPFIND", "/dav/hot/a.txt", 207, "Depth", "0"),
            () -> assertStatus(a, "PROPFIND", "/dav/hot/", 207, "Depth", "0"),
            () -> assertStatus(a, "PROPFIND", "/dav/hot/", 207, "Depth", "1"),
        };
        for (Runnable r : reads) {
            r.run(); // warm
        }
        long before = nodeOps();
        for (int round = 0; round < 5; round++) {
            for (Runnable r : reads) {
                r.run();
            }
        }
        assertThat(nodeOps()).as(() -> "node requests during hot reads: " + byCommand()).isEqualTo(before);
        HttpResponse<byte[]> get = send(a, "GET", "/api/v1/files/hot/a.txt", null);
        assertThat(get.body()).isEqualTo(content);
        assertThat(cache(a).metrics().count("content", "hit")).isPositive();
        assertThat(cache(a).size()).isPositive();
    }

    private static void assertStatus(ConfigurableApplicationContext gw, String method, String path, int status,
                                     String... headers) {
        try {
            byte[] body = method.equals("PROPFIND") ? PROPFIND.getBytes(StandardCharsets.UTF_8) : null;
            assertThat(send(gw, method, path, body, headers).statusCode()).as(method + " " + path).isEqualTo(status);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
