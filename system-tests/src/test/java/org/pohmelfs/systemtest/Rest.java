package org.pohmelfs.systemtest;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/** The gateways' REST API, as much as the system tests use, over a real HTTP client. */
final class Rest {
    /** Longer than the gateway's own request timeout (30 s): a slow answer is not a failure. */
    private static final Duration TIMEOUT = Duration.ofSeconds(90);
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    record Response(int status, byte[] body) {
        String text() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    int put(URI gateway, String path, byte[] content) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(files(gateway, path)).timeout(TIMEOUT)
                .PUT(HttpRequest.BodyPublishers.ofByteArray(content)).build(),
                HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    Response get(URI gateway, String path) throws IOException, InterruptedException {
        HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(files(gateway, path)).timeout(TIMEOUT).GET().build(),
                HttpResponse.BodyHandlers.ofByteArray());
        return new Response(r.statusCode(), r.body());
    }

    /** True when the gateway's readiness is UP; false on any other answer or none. */
    boolean ready(URI gateway) {
        try {
            return http.send(HttpRequest.newBuilder(gateway.resolve("/actuator/health/readiness"))
                    .timeout(Duration.ofSeconds(5)).GET().build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static URI files(URI gateway, String path) {
        return gateway.resolve("/api/v1/files" + path);
    }
}
