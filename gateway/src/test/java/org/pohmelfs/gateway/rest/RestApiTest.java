package org.pohmelfs.gateway.rest;

import static org.assertj.core.api.Assertions.assertThat;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.pohmelfs.gateway.testing.LocalNodes;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The REST API end to end: a real gateway (Spring Boot on a free port) in front of a real
 * storage node on loopback, driven by the JDK's HTTP client, which sends paths exactly as
 * written (no normalisation), so hostile paths reach the gateway as an attacker would send them.
 */
class RestApiTest {
    static Path dir;
    static LocalNodes nodes;
    static ConfigurableApplicationContext gateway;
    static String base;
    static final HttpClient http = HttpClient.newHttpClient();
    static final ObjectMapper json = JsonMapper.builder().build();

    @BeforeAll
    static void start() throws IOException {
        dir = Files.createTempDirectory("rest-api-test");
        nodes = LocalNodes.start(dir, 1, java.time.Duration.ofSeconds(1)); // leases: runs through the cache
        gateway = GatewayTestSupport.startGateway("gw1", nodes.addresses());
        base = GatewayTestSupport.baseUrl(gateway);
    }

    @AfterAll
    static void stop() {
        gateway.close();
        nodes.close();
    }

    static HttpResponse<byte[]> send(String method, String path, byte[] body, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    static String text(HttpResponse<byte[]> r) {
        return new String(r.body(), StandardCharsets.UTF_8);
    }

    @Test
    void putThenGetReturnsTheSameBytesWithValidators() throws Exception {
        byte[] content = new byte[3 * 1024 * 1024 + 17];
        ThreadLocalRandom.current().nextBytes(content);
        HttpResponse<byte[]> put = send("PUT", "/api/v1/files/rt/blob.bin?parents=true", content);
        assertThat(put.statusCode()).isEqualTo(201);
        String etag = put.headers().firstValue("ETag").orElseThrow();

        HttpResponse<byte[]> get = send("GET", "/api/v1/files/rt/blob.bin", null);
        assertThat(get.statusCode()).isEqualTo(200);
        assertThat(get.body()).isEqualTo(content);
        assertThat(get.headers().firstValue("ETag")).contains(etag);
        assertThat(get.headers().firstValue("Last-Modified")).isPresent();
        assertThat(get.headers().firstValue("Content-Length")).contains(String.valueOf(content.length));

        HttpResponse<byte[]> head = send("HEAD", "/api/v1/files/rt/blob.bin", null);
        assertThat(head.statusCode()).isEqualTo(200);
        assertThat(head.headers().firstValue("Content-Length")).contains(String.valueOf(content.length));
        assertThat(head.body()).isEmpty();

        assertThat(Files.readAllBytes(nodes.get(0).export().resolve("rt/blob.bin")))
                .as("stored as a plain file on the node").isEqualTo(content);
    }

    @Test
    void rangeRequestsReturnExactlyTheRange() throws Exception {
        byte[] content = "0123456789abcdefghij".getBytes(StandardCharsets.UTF_8);
        assertThat(send("PUT", "/api/v1/files/range.txt", content).statusCode()).isEqualTo(201);

        HttpResponse<byte[]> mid = send("GET", "/api/v1/files/range.txt", null, "Range", "bytes=10-14");
        assertThat(mid.statusCode()).isEqualTo(206);
        assertThat(text(mid)).isEqualTo("abcde");
        assertThat(mid.headers().firstValue("Content-Range")).contains("bytes 10-14/20");

        assertThat(text(send("GET", "/api/v1/files/range.txt", null, "Range", "bytes=-3"))).isEqualTo("hij");
        assertThat(text(send("GET", "/api/v1/files/range.txt", null, "Range", "bytes=17-"))).isEqualTo("hij");
        assertThat(text(send("GET", "/api/v1/files/range.txt", null, "Range", "bytes=15-999"))).isEqualTo("fghij");

        HttpResponse<byte[]> bad = send("GET", "/api/v1/files/range.txt", null, "Range", "bytes=20-30");
        assertThat(bad.statusCode()).isEqualTo(416);
        assertThat(bad.headers().firstValue("Content-Range")).contains("bytes */20");

        HttpResponse<byte[]> staleIfRange = send("GET", "/api/v1/files/range.txt", null, "Range", "bytes=0-1",
                "If-Range", "\"f0\"");
        assertThat(staleIfRange.statusCode()).as("If-Range mismatch serves the whole file").isEqualTo(200);
        assertThat(staleIfRange.body()).isEqualTo(content);
    }

    @Test
    void conditionalRequestsFollowRfc9110() throws Exception {
        HttpResponse<byte[]> put = send("PUT", "/api/v1/files/cond.txt", "v1".getBytes());
        String etag = put.headers().firstValue("ETag").orElseThrow();

        assertThat(send("GET", "/api/v1/files/cond.txt", null, "If-None-Match", etag).statusCode()).isEqualTo(304);
        assertThat(send("GET", "/api/v1/files/cond.txt", null, "If-Match", "\"nope\"").statusCode()).isEqualTo(412);
        assertThat(send("PUT", "/api/v1/files/cond.txt", "v2".getBytes(), "If-None-Match", "*").statusCode())
                .isEqualTo(412);
        assertThat(send("PUT", "/api/v1/files/cond.txt", "v2".getBytes(), "If-Match", "\"nope\"").statusCode())
                .isEqualTo(412);
        assertThat(text(send("GET", "/api/v1/files/cond.txt", null))).isEqualTo("v1");

        HttpResponse<byte[]> replaced = send("PUT", "/api/v1/files/cond.txt", "v2".getBytes(), "If-Match", etag);
        assertThat(replaced.statusCode()).isEqualTo(204);
        assertThat(replaced.headers().firstValue("ETag")).isPresent().get().isNotEqualTo(etag);
        assertThat(text(send("GET", "/api/v1/files/cond.txt", null))).isEqualTo("v2");
    }

    @Test
    void directoriesListInPagesAndTheirEtagFollowsChangesBelow() throws Exception {
        assertThat(send("POST", "/api/v1/files/tree/a/b?action=mkdir&parents=true", null).statusCode()).isEqualTo(201);
        for (String name : new String[] {"x", "y", "z"}) {
            assertThat(send("PUT", "/api/v1/files/tree/a/" + name, name.getBytes()).statusCode()).isEqualTo(201);
        }
        JsonNode page1 = json.readTree(send("GET", "/api/v1/files/tree/a?limit=2", null).body());
        assertThat(page1.get("entries")).hasSize(2);
        assertThat(page1.get("entries").get(0).get("name").asText()).isEqualTo("b");
        assertThat(page1.get("next").asText()).isEqualTo("x");
        JsonNode page2 = json.readTree(send("GET", "/api/v1/files/tree/a?limit=2&after=x", null).body());
        assertThat(page2.get("entries")).extracting(e -> e.get("name").asText()).containsExactly("y", "z");
        assertThat(page2.get("next").isNull()).isTrue();

        String treeEtag = send("HEAD", "/api/v1/files/tree", null).headers().firstValue("ETag").orElseThrow();
        String siblingEtag = send("HEAD", "/api/v1/files/tree/a/y", null).headers().firstValue("ETag").orElseThrow();
        assertThat(send("PUT", "/api/v1/files/tree/a/b/deep.txt", "d".getBytes()).statusCode()).isEqualTo(201);
        assertThat(send("HEAD", "/api/v1/files/tree", null).headers().firstValue("ETag")).isPresent().get()
                .isNotEqualTo(treeEtag);
        assertThat(send("HEAD", "/api/v1/files/tree/a/y", null).headers().firstValue("ETag")).contains(siblingEtag);
    }

    @Test
    void mkdirDeleteMoveCopy() throws Exception {
        assertThat(send("POST", "/api/v1/files/ops/src?action=mkdir&parents=true", null).statusCode()).isEqualTo(201);
        assertThat(send("PUT", "/api/v1/files/ops/src/f.txt", "hello".getBytes()).statusCode()).isEqualTo(201);
        assertThat(send("DELETE", "/api/v1/files/ops/src", null).statusCode()).as("not empty").isEqualTo(409);

        assertThat(send("POST", "/api/v1/files/ops/src?action=copy&to=/ops/copy", null).statusCode()).isEqualTo(201);
        assertThat(text(send("GET", "/api/v1/files/ops/copy/f.txt", null))).isEqualTo("hello");
        assertThat(send("POST", "/api/v1/files/ops/src?action=copy&to=/ops/copy", null).statusCode())
                .as("no overwrite by default").isEqualTo(409);

        assertThat(send("POST", "/api/v1/files/ops/src/f.txt?action=move&to=/ops/moved.txt", null).statusCode())
                .isEqualTo(201);
        assertThat(send("GET", "/api/v1/files/ops/src/f.txt", null).statusCode()).isEqualTo(404);
        assertThat(text(send("GET", "/api/v1/files/ops/moved.txt", null))).isEqualTo("hello");

        assertThat(send("DELETE", "/api/v1/files/ops?recursive=true", null).statusCode()).isEqualTo(204);
        assertThat(send("GET", "/api/v1/files/ops", null).statusCode()).isEqualTo(404);
    }

    @Test
    void putIntoAMissingDirectoryIsAConflictUnlessParentsAreAskedFor() throws Exception {
        HttpResponse<byte[]> r = send("PUT", "/api/v1/files/no/such/dir/f.txt", "x".getBytes());
        assertThat(r.statusCode()).isEqualTo(409);
        assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).contains("problem+json"));
        assertThat(send("PUT", "/api/v1/files/no/such/dir/f.txt?parents=true", "x".getBytes()).statusCode()).isEqualTo(201);
    }

    @Test
    void extendedAttributesRoundTrip() throws Exception {
        send("PUT", "/api/v1/files/meta.txt", "m".getBytes());
        assertThat(send("PUT", "/api/v1/xattrs/meta.txt?name=color", "blue".getBytes()).statusCode()).isEqualTo(204);
        assertThat(text(send("GET", "/api/v1/xattrs/meta.txt?name=color", null))).isEqualTo("blue");
        JsonNode all = json.readTree(send("GET", "/api/v1/xattrs/meta.txt", null).body());
        assertThat(all.get("attributes")).anySatisfy(a -> {
            assertThat(a.get("name").asText()).isEqualTo("color");
            assertThat(a.get("value").asText()).isEqualTo("blue");
        });
        assertThat(send("DELETE", "/api/v1/xattrs/meta.txt?name=color", null).statusCode()).isEqualTo(204);
        assertThat(send("GET", "/api/v1/xattrs/meta.txt?name=color", null).statusCode()).isEqualTo(404);
    }

    @Test
    void usageReportsTheExport() throws Exception {
        JsonNode usage = json.readTree(send("GET", "/api/v1/usage", null).body());
        assertThat(usage.get("capacityBytes").asLong()).isPositive();
        assertThat(usage.get("readOnly").asBoolean()).isFalse();
    }

    @Test
    void errorsAreProblemJson() throws Exception {
        HttpResponse<byte[]> r = send("GET", "/api/v1/files/does-not-exist", null);
        assertThat(r.statusCode()).isEqualTo(404);
        JsonNode p = json.readTree(r.body());
        assertThat(p.get("status").asInt()).isEqualTo(404);
        assertThat(p.get("code").asText()).isEqualTo("NOT_FOUND");
        assertThat(p.get("detail").asText()).isNotBlank();
    }

    @Test
    void openApiAndMetricsAreServed() throws Exception {
        HttpResponse<byte[]> api = send("GET", "/v3/api-docs", null);
        assertThat(api.statusCode()).isEqualTo(200);
        assertThat(text(api)).contains("/api/v1/files/**");
        send("GET", "/api/v1/usage", null);
        HttpResponse<byte[]> prom = send("GET", "/actuator/prometheus", null);
        assertThat(prom.statusCode()).isEqualTo(200);
        assertThat(text(prom)).contains("http_server_requests_seconds_count").contains("method=\"GET\"")
                .contains("status=\"200\"");
    }
}
