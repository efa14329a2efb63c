package org.pohmelfs.gateway.rest;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.Arrays;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.pohmelfs.gateway.testing.LocalNodes;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * PATCH with Content-Range: partial writes in place through the REST API, against a real node
 * and a real gateway on loopback.
 */
class PartialWriteTest {
    static LocalNodes nodes;
    static ConfigurableApplicationContext gw;
    static final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void start() throws Exception {
        nodes = LocalNodes.start(Files.createTempDirectory("partial-write"), 1);
        gw = GatewayTestSupport.startGateway("gw-patch", nodes.addresses());
    }

    @AfterAll
    static void stop() {
        gw.close();
        nodes.close();
    }

    static HttpResponse<byte[]> send(String method, String path, HttpRequest.BodyPublisher body, String... headers)
            throws Exception {
        HttpRequest.Builder r = HttpRequest.newBuilder(URI.create(GatewayTestSupport.baseUrl(gw) + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : body);
        for (int i = 0; i < headers.length; i += 2) {
            r.header(headers[i], headers[i + 1]);
        }
        return http.send(r.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    static HttpResponse<byte[]> patch(String path, byte[] body, String range, String... headers) throws Exception {
        String[] all = Arrays.copyOf(headers, headers.length + 2);
        all[headers.length] = "Content-Range";
        all[headers.length + 1] = range;
        return send("PATCH", path, HttpRequest.BodyPublishers.ofByteArray(body), all);
    }

    static void put(String path, byte[] body) throws Exception {
        assertThat(send("PUT", path, HttpRequest.BodyPublishers.ofByteArray(body)).statusCode()).isIn(201, 204);
    }

    static byte[] get(String path) throws Exception {
        HttpResponse<byte[]> r = send("GET", path, null);
        assertThat(r.statusCode()).isEqualTo(200);
        return r.body();
    }

    static String etag(HttpResponse<?> r) {
        return r.headers().firstValue("ETag").orElseThrow();
    }

    static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    @Test
    void aRangeInsideTheFileIsOverwrittenInPlaceAndTheNewEtagIsReturned() throws Exception {
        put("/api/v1/files/in-place.txt", ascii("0123456789"));
        String before = etag(send("HEAD", "/api/v1/files/in-place.txt", null));
        HttpResponse<byte[]> r = patch("/api/v1/files/in-place.txt", ascii("abc"), "bytes 3-5/*");
        assertThat(r.statusCode()).isEqualTo(204);
        assertThat(etag(r)).isNotEqualTo(before)
                .isEqualTo(etag(send("HEAD", "/api/v1/files/in-place.txt", null)));
        assertThat(new String(get("/api/v1/files/in-place.txt"), StandardCharsets.US_ASCII)).isEqualTo("012abc6789");
    }

    @Test
    void aRangeBeyondTheEndExtendsTheFileWithZeros() throws Exception {
        put("/api/v1/files/extend.bin", ascii("ab"));
        assertThat(patch("/api/v1/files/extend.bin", ascii("xy"), "bytes 4-5/*").statusCode()).isEqualTo(204);
        assertThat(get("/api/v1/files/extend.bin")).containsExactly('a', 'b', 0, 0, 'x', 'y');
    }

    @Test
    void aCompleteSizeSetsTheFileSizeAfterTheWrite() throws Exception {
        put("/api/v1/files/sized.txt", ascii("0123456789"));
        assertThat(patch("/api/v1/files/sized.txt", ascii("AB"), "bytes 2-3/6").statusCode()).isEqualTo(204);
        assertThat(new String(get("/api/v1/files/sized.txt"), StandardCharsets.US_ASCII)).isEqualTo("01AB45");
        assertThat(patch("/api/v1/files/sized.txt", ascii("C"), "bytes 6-6/9").statusCode()).isEqualTo(204);
        assertThat(get("/api/v1/files/sized.txt")).containsExactly('0', '1', 'A', 'B', '4', '5', 'C', 0, 0);
    }

    @Test
    void aPatchLargerThanOneChunkIsWrittenWhole() throws Exception {
        byte[] original = new byte[3 * 1024 * 1024 + 17];
        new Random(1).nextBytes(original);
        put("/api/v1/files/large.bin", original);
        byte[] patchBytes = new byte[2 * 1024 * 1024 + 1000];
        new Random(2).nextBytes(patchBytes);
        int offset = 12345;
        HttpResponse<byte[]> r = patch("/api/v1/files/large.bin", patchBytes,
                "bytes " + offset + "-" + (offset + patchBytes.length - 1) + "/*");
        assertThat(r.statusCode()).isEqualTo(204);
        byte[] expected = original.clone();
        System.arraycopy(patchBytes, 0, expected, offset, patchBytes.length);
        assertThat(Arrays.equals(get("/api/v1/files/large.bin"), expected)).isTrue();
        assertThat(etag(r)).isEqualTo(etag(send("HEAD", "/api/v1/files/large.bin", null)));
    }

    @Test
    void aMissingFileIs404AndNothingIsCreated() throws Exception {
        HttpResponse<byte[]> r = patch("/api/v1/files/nope.txt", ascii("x"), "bytes 0-0/*");
        assertThat(r.statusCode()).isEqualTo(404);
        assertThat(send("HEAD", "/api/v1/files/nope.txt", null).statusCode()).isEqualTo(404);
    }

    @Test
    void aDirectoryIsAConflict() throws Exception {
        assertThat(send("POST", "/api/v1/files/patch-dir?action=mkdir", null).statusCode()).isEqualTo(201);
        assertThat(patch("/api/v1/files/patch-dir", ascii("x"), "bytes 0-0/*").statusCode()).isEqualTo(409);
    }

    @Test
    void malformedRangesAre400AndUnsatisfiableOnes416AndTheFileStays() throws Exception {
        put("/api/v1/files/ranges.txt", ascii("0123"));
        String f = "/api/v1/files/ranges.txt";
        assertThat(send("PATCH", f, HttpRequest.BodyPublishers.ofByteArray(ascii("x"))).statusCode())
                .as("no Content-Range").isEqualTo(400);
        for (String bad : new String[] {"bytes 0-", "bytes */4", "items 0-0/*", "bytes -1-0/*", "bytes 0-0/x",
                "bytes 99999999999999999999-0/*"}) {
            HttpResponse<byte[]> r = patch(f, ascii("x"), bad);
            assertThat(r.statusCode()).as(bad).isEqualTo(400);
            assertThat(new String(r.body(), StandardCharsets.UTF_8)).contains("BAD_CONTENT_RANGE");
        }
        assertThat(patch(f, ascii("x"), "bytes 3-2/*").statusCode()).as("first > last").isEqualTo(416);
        assertThat(patch(f, ascii("x"), "bytes 3-3/3").statusCode()).as("size too small").isEqualTo(416);
        assertThat(patch(f, ascii("xy"), "bytes 0-0/*").statusCode()).as("body longer than range").isEqualTo(400);
        assertThat(patch(f, ascii("x"), "bytes 0-1/*").statusCode()).as("body shorter than range").isEqualTo(400);
        assertThat(new String(get(f), StandardCharsets.US_ASCII)).isEqualTo("0123");
    }

    @Test
    void aBodyWithoutContentLengthIs411() throws Exception {
        put("/api/v1/files/chunked.txt", ascii("0123"));
        HttpResponse<byte[]> r = send("PATCH", "/api/v1/files/chunked.txt",
                HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(ascii("x"))),
                "Content-Range", "bytes 0-0/*");
        assertThat(r.statusCode()).isEqualTo(411);
        assertThat(new String(get("/api/v1/files/chunked.txt"), StandardCharsets.US_ASCII)).isEqualTo("0123");
    }

    @Test
    void ifMatchIsHonoured() throws Exception {
        put("/api/v1/files/cond.txt", ascii("0123"));
        String current = etag(send("HEAD", "/api/v1/files/cond.txt", null));
        HttpResponse<byte[]> ok = patch("/api/v1/files/cond.txt", ascii("A"), "bytes 0-0/*", "If-Match", current);
        assertThat(ok.statusCode()).isEqualTo(204);
        assertThat(patch("/api/v1/files/cond.txt", ascii("B"), "bytes 1-1/*", "If-Match", current).statusCode())
                .as("the old ETag").isEqualTo(412);
        assertThat(patch("/api/v1/files/cond.txt", ascii("C"), "bytes 2-2/*", "If-None-Match", "*").statusCode())
                .isEqualTo(412);
        assertThat(patch("/api/v1/files/cond.txt", ascii("D"), "bytes 3-3/*", "If-Match", etag(ok)).statusCode())
                .isEqualTo(204);
        assertThat(new String(get("/api/v1/files/cond.txt"), StandardCharsets.US_ASCII)).isEqualTo("A12D");
    }

    @Test
    void aLockedFileIs423WithoutItsTokenAnd204WithIt() throws Exception {
        put("/api/v1/files/locked.txt", ascii("0123"));
        HttpResponse<byte[]> lock = send("LOCK", "/dav/locked.txt", HttpRequest.BodyPublishers.ofString("""
                <?xml version="1.0" encoding="utf-8"?>
                <D:lockinfo xmlns:D="DAV:"><D:lockscope><D:exclusive/></D:lockscope><D:locktype><D:write/></D:locktype>
                <D:owner>test</D:owner></D:lockinfo>"""), "Timeout", "Second-600");
        assertThat(lock.statusCode()).isIn(200, 201);
        Matcher m = Pattern.compile("<(opaquelocktoken:[^>]+)>").matcher(lock.headers().firstValue("Lock-Token").orElseThrow());
        assertThat(m.matches()).isTrue();
        String token = m.group(1);
        assertThat(patch("/api/v1/files/locked.txt", ascii("x"), "bytes 0-0/*").statusCode()).isEqualTo(423);
        assertThat(new String(get("/api/v1/files/locked.txt"), StandardCharsets.US_ASCII)).isEqualTo("0123");
        assertThat(patch("/api/v1/files/locked.txt", ascii("x"), "bytes 0-0/*", "If", "(<" + token + ">)").statusCode())
                .isEqualTo(204);
        assertThat(new String(get("/api/v1/files/locked.txt"), StandardCharsets.US_ASCII)).isEqualTo("x123");
        assertThat(send("UNLOCK", "/dav/locked.txt", null, "Lock-Token", "<" + token + ">").statusCode()).isEqualTo(204);
    }

    @Test
    void theOpenApiDocumentDescribesPatch() throws Exception {
        HttpResponse<byte[]> api = send("GET", "/v3/api-docs", null);
        assertThat(api.statusCode()).isEqualTo(200);
        tools.jackson.databind.JsonNode doc = tools.jackson.databind.json.JsonMapper.builder().build().readTree(api.body());
        tools.jackson.databind.JsonNode patch = doc.path("paths").path("/api/v1/files/**").path("patch");
        assertThat(patch.isMissingNode()).as("PATCH in %s", doc.path("paths")).isFalse();
        assertThat(patch.path("summary").asText()).contains("Content-Range");
        assertThat(patch.toString()).contains("Content-Range");
    }
}
