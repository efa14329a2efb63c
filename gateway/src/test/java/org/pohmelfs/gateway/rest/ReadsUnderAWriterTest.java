package org.pohmelfs.gateway.rest;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.pohmelfs.gateway.testing.LocalNodes;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * GETs of files larger than one round trip (REST over 64 KiB, WebDAV always two) while another
 * client keeps replacing them: every answer is one whole version (each version is one byte
 * value, at its own length) or a cut connection once bytes are on the wire; never a 5xx, never
 * two versions in one body. The interleaving is the machine's; the checks hold for any.
 */
class ReadsUnderAWriterTest {
    static Path dir;
    static LocalNodes nodes;
    static ConfigurableApplicationContext gateway;
    static String base;
    static final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void start() throws Exception {
        dir = Files.createTempDirectory("reads-under-writer");
        nodes = LocalNodes.start(dir, 1);
        gateway = GatewayTestSupport.startGateway("gw1", nodes.addresses());
        base = GatewayTestSupport.baseUrl(gateway);
    }

    @AfterAll
    static void stop() {
        gateway.close();
        nodes.close();
    }

    /** Version v: {@code 200 KiB + v * 37 KiB} bytes of the value v (over one chunk from v = 23). */
    static byte[] version(int v) {
        byte[] data = new byte[200 * 1024 + (v % 40) * 37 * 1024];
        Arrays.fill(data, (byte) v);
        return data;
    }

    /** Whether {@code body} is exactly one version (its byte is the version mod 256). */
    static boolean oneVersion(byte[] body) {
        if (body.length == 0) {
            return false;
        }
        for (int v = body[0] & 0xff; v < 256 * 64; v += 256) {
            if (Arrays.equals(body, version(v))) {
                return true;
            }
        }
        return false;
    }

    static HttpResponse<byte[]> send(String method, String path, byte[] body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(base + path)).method(method,
                        body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body))
                .build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    @Test
    void readsThroughBothFrontEndsServeWholeVersionsWhileAWriterReplacesTheFile() throws Exception {
        assertThat(send("PUT", "/api/v1/files/busy.bin", version(1)).statusCode()).isIn(201, 204);
        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger written = new AtomicInteger(1);
        Map<String, AtomicInteger> answers = new ConcurrentHashMap<>();
        List<String> wrong = new CopyOnWriteArrayList<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(3)) {
            Future<?> writer = pool.submit(() -> {
                for (int v = 2; !stop.get(); v++) {
                    HttpResponse<byte[]> r = send("PUT", "/api/v1/files/busy.bin", version(v));
                    assertThat(r.statusCode()).isIn(201, 204);
                    written.set(v);
                }
                return null;
            });
            List<Future<Object>> readers = List.of("/api/v1/files/busy.bin", "/dav/busy.bin").stream()
                    .map(path -> pool.<Object>submit(() -> {
                        for (int n = 0; n < 60; n++) {
                            String kind = path.startsWith("/dav") ? "dav " : "rest ";
                            HttpResponse<byte[]> r;
                            try {
                                r = send("GET", path, null);
                            } catch (IOException e) {
                                answers.computeIfAbsent(kind + "cut", k -> new AtomicInteger()).incrementAndGet();
                                continue;
                            }
                            answers.computeIfAbsent(kind + r.statusCode(), k -> new AtomicInteger()).incrementAndGet();
                            if (r.statusCode() == 200) {
                                byte[] body = r.body();
                                if (!oneVersion(body)) {
                                    wrong.add(kind + "GET: " + body.length + " bytes are not one version");
                                }
                            } else {
                                wrong.add(kind + "GET answered " + r.statusCode() + ": "
                                        + new String(r.body(), java.nio.charset.StandardCharsets.UTF_8));
                            }
                        }
                        return null;
                    })).toList();
            for (Future<?> f : readers) {
                f.get(180, TimeUnit.SECONDS);
            }
            stop.set(true);
            writer.get(60, TimeUnit.SECONDS);
        } finally {
            stop.set(true);
        }
        assertThat(wrong).as("answers %s", answers).isEmpty();
        assertThat(answers.get("rest 200")).as("answers %s", answers).isNotNull();
        assertThat(answers.get("dav 200")).as("answers %s", answers).isNotNull();
        assertThat(written.get()).as("versions written during the reads").isGreaterThan(5);
    }
}
