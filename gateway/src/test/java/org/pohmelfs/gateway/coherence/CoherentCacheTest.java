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

    @Test
    void writeThroughAReadThroughBIsNeverStale() throws Exception {
        assertThat(send(a, "PUT", "/api/v1/files/rounds/x.txt?parents=true", "start".getBytes()).statusCode())
                .isEqualTo(201);
        for (int i = 0; i < 1000; i++) {
            String body = "round " + i;
            HttpResponse<byte[]> put = send(a, "PUT", "/api/v1/files/rounds/x.txt", body.getBytes());
            assertThat(put.statusCode()).as("PUT round %d", i).isBetween(200, 204);
            String etag = put.headers().firstValue("ETag").orElseThrow();
            HttpResponse<byte[]> viaB = send(b, "GET", "/api/v1/files/rounds/x.txt", null);
            assertThat(text(viaB)).as("B's read in round %d", i).isEqualTo(body);
            assertThat(viaB.headers().firstValue("ETag")).as("B's ETag in round %d", i).contains(etag);
            if (i % 10 == 0) {
                HttpResponse<byte[]> viaA = send(a, "GET", "/api/v1/files/rounds/x.txt", null);
                assertThat(text(viaA)).isEqualTo(body);
                assertThat(send(b, "GET", "/api/v1/files/rounds/", null).headers().firstValue("ETag"))
                        .isEqualTo(send(a, "GET", "/api/v1/files/rounds/", null).headers().firstValue("ETag"));
            }
        }
        assertThat(cache(b).metrics().count("attr", "hit") + cache(b).metrics().count("content", "hit")).isPositive();
    }

    @Test
    void renameAndDeleteThroughAAreSeenByBsNextListingAndLookup() throws Exception {
        send(a, "PUT", "/api/v1/files/mv/x.txt?parents=true", "x".getBytes());
        send(a, "PUT", "/api/v1/files/mv/dir/sub/f.txt?parents=true", "f".getBytes());
        // B caches the listing, the file and a deep entry, twice so the second time is a hit.
        for (int i = 0; i < 2; i++) {
            assertThat(text(send(b, "GET", "/api/v1/files/mv/", null))).contains("\"name\":\"x.txt\"");
            assertThat(send(b, "GET", "/api/v1/files/mv/x.txt", null).statusCode()).isEqualTo(200);
            assertThat(send(b, "GET", "/api/v1/files/mv/dir/sub/f.txt", null).statusCode()).isEqualTo(200);
            assertThat(send(b, "GET", "/api/v1/files/mv/y.txt", null).statusCode()).isEqualTo(404); // negative entry
        }

        assertThat(send(a, "POST", "/api/v1/files/mv/x.txt?action=move&to=/mv/y.txt", null).statusCode())
                .isBetween(200, 201);
        String listing = text(send(b, "GET", "/api/v1/files/mv/", null));
        assertThat(listing).contains("\"name\":\"y.txt\"").doesNotContain("\"name\":\"x.txt\"");
        assertThat(send(b, "GET", "/api/v1/files/mv/x.txt", null).statusCode()).isEqualTo(404);
        assertThat(text(send(b, "GET", "/api/v1/files/mv/y.txt", null))).isEqualTo("x");

        // A directory rename recalls what lies below it.
        assertThat(send(a, "POST", "/api/v1/files/mv/dir?action=move&to=/mv/moved", null).statusCode())
                .isBetween(200, 201);
        assertThat(send(b, "GET", "/api/v1/files/mv/dir/sub/f.txt", null).statusCode()).isEqualTo(404);
        assertThat(text(send(b, "GET", "/api/v1/files/mv/moved/sub/f.txt", null))).isEqualTo("f");

        assertThat(send(a, "DELETE", "/api/v1/files/mv/y.txt", null).statusCode()).isBetween(200, 204);
        assertThat(send(b, "GET", "/api/v1/files/mv/y.txt", null).statusCode()).isEqualTo(404);
        assertThat(text(send(b, "GET", "/api/v1/files/mv/", null))).doesNotContain("y.txt");
        assertThat(send(b, "PROPFIND", "/dav/mv/y.txt", PROPFIND.getBytes(StandardCharsets.UTF_8), "Depth", "0")
                .statusCode()).isEqualTo(404);
    }

    @Test
    void aChangeToOneFileLeavesItsSiblingsCached() throws Exception {
        send(a, "PUT", "/api/v1/files/sib/one.txt?parents=true", "one".getBytes());
        send(a, "PUT", "/api/v1/files/sib/two.txt", "two".getBytes());
        for (int i = 0; i < 2; i++) {
            send(b, "GET", "/api/v1/files/sib/one.txt", null);
            send(b, "GET", "/api/v1/files/sib/two.txt", null);
        }
        send(a, "PUT", "/api/v1/files/sib/one.txt", "ONE".getBytes());

        double missesBefore = misses(b);
        double hitsBefore = cache(b).metrics().count("attr", "hit");
        assertThat(text(send(b, "GET", "/api/v1/files/sib/two.txt", null))).isEqualTo("two");
        assertThat(misses(b)).as("the sibling is still cached").isEqualTo(missesBefore);
        assertThat(cache(b).metrics().count("attr", "hit")).isEqualTo(hitsBefore + 1);

        assertThat(text(send(b, "GET", "/api/v1/files/sib/one.txt", null))).isEqualTo("ONE");
        assertThat(misses(b)).as("the changed file was recalled").isGreaterThan(missesBefore);
    }

    static double misses(ConfigurableApplicationContext gw) {
        CacheMetrics m = cache(gw).metrics();
        return m.count("attr", "miss") + m.count("listing", "miss") + m.count("xattrs", "miss")
                + m.count("content", "miss");
    }
}
