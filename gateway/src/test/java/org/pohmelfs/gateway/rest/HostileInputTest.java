package org.pohmelfs.gateway.rest;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.pohmelfs.gateway.testing.LocalNodes;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Hostile input through the REST API: path tricks, oversized names, paths and headers, and an
 * upload cut off midway. Each gets a clear 4xx (or leaves the old version intact) and nothing
 * outside the export is touched. Requests go over raw sockets, byte for byte as written, so no
 * client library normalises them first.
 */
class HostileInputTest {
    static Path dir;
    static Path outside;
    static LocalNodes nodes;
    static ConfigurableApplicationContext gateway;
    static int port;

    @BeforeAll
    static void start() throws IOException {
        dir = Files.createTempDirectory("hostile-test");
        outside = Files.createDirectories(dir.resolve("outside"));
        Files.writeString(outside.resolve("secret.txt"), "secret");
        nodes = LocalNodes.start(dir.resolve("cluster"), 1);
        gateway = GatewayTestSupport.startGateway("gw1", nodes.addresses());
        port = Integer.parseInt(GatewayTestSupport.baseUrl(gateway).replaceAll(".*:", ""));
    }

    @AfterAll
    static void stop() {
        gateway.close();
        nodes.close();
    }

    /** Sends one raw HTTP/1.1 request and returns the status line's code. */
    static int raw(String method, String rawPath, String extraHeaders, byte[] body) throws IOException {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            String head = method + " " + rawPath + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n" + extraHeaders
                    + "Content-Length: " + (body == null ? 0 : body.length) + "\r\n\r\n";
            out.write(head.getBytes(StandardCharsets.ISO_8859_1));
            if (body != null) {
                out.write(body);
            }
            out.flush();
            InputStream in = s.getInputStream();
            String status = new String(in.readNBytes(12), StandardCharsets.ISO_8859_1);
            return Integer.parseInt(status.substring(9, 12));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "/api/v1/files/../../outside/secret.txt",
            "/api/v1/files/%2e%2e/%2e%2e/outside/secret.txt",
            "/api/v1/files/%2E%2E/outside/secret.txt",
            "/api/v1/files/a%2F..%2F..%2Foutside",
            "/api/v1/files/a%5C..%5Coutside",
            "/api/v1/files/%C0%AE%C0%AE/outside",
            "/api/v1/files/bad%00name",
            "/api/v1/files/bad%0Aname",
            "/api/v1/files/%ZZ",
            "/api/v1/files/.pohmelfs/journal",
            "/api/v1/files/.pohmelfs-staging/x",
    })
    void pathTricksAreRefusedWith4xxAndTouchNothing(String path) throws Exception {
        for (String method : List.of("GET", "PUT", "DELETE")) {
            int status = raw(method, path, "", method.equals("PUT") ? "pwned".getBytes() : null);
            assertThat(status).as(method + " " + path).isBetween(400, 499);
        }
        assertThat(Files.readString(outside.resolve("secret.txt"))).isEqualTo("secret");
        try (Stream<Path> files = Files.list(outside)) {
            assertThat(files).hasSize(1);
        }
    }

    @Test
    void overlongNamesAndPathsAreRefused() throws Exception {
        assertThat(raw("PUT", "/api/v1/files/" + "n".repeat(256), "", "x".getBytes())).isEqualTo(414);
        assertThat(raw("PUT", "/api/v1/files/" + "d/".repeat(2100) + "f", "", "x".getBytes())).isBetween(400, 499);
        assertThat(raw("GET", "/api/v1/files/x", "X-Big: " + "h".repeat(40_000) + "\r\n", null)).isBetween(400, 499);
    }

    @Test
    void aMoveTargetOutsideTheTreeIsRefused() throws Exception {
        assertThat(raw("PUT", "/api/v1/files/victim.txt", "", "v".getBytes())).isEqualTo(201);
        assertThat(raw("POST", "/api/v1/files/victim.txt?action=move&to=/../outside/x", "", null)).isEqualTo(400);
        assertThat(raw("POST", "/api/v1/files/victim.txt?action=copy&to=relative", "", null)).isEqualTo(400);
        assertThat(raw("GET", "/api/v1/files/victim.txt", "", null)).isEqualTo(200);
    }

    @Test
    void anUploadCutOffMidwayLeavesThePreviousVersionAndNoTrace() throws Exception {
        assertThat(raw("PUT", "/api/v1/files/keep.txt", "", "old content".getBytes())).isEqualTo(201);
        try (Socket s = new Socket("127.0.0.1", port)) {
            OutputStream out = s.getOutputStream();
            out.write(("PUT /api/v1/files/keep.txt HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 10000000\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1));
            out.write(new byte[3_000_000]);
            out.flush();
        } // closed with 7 MB still owed
        Path staging = nodes.get(0).export().resolve(".pohmelfs-staging");
        Awaitility.await().atMost(java.time.Duration.ofSeconds(10)).untilAsserted(() -> {
            try (Stream<Path> left = Files.exists(staging) ? Files.list(staging) : Stream.empty()) {
                assertThat(left).as("staging file discarded").isEmpty();
            }
        });
        var get = java.net.http.HttpClient.newHttpClient().send(
                java.net.http.HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/v1/files/keep.txt")).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(get.body()).isEqualTo("old content");
        var listing = java.net.http.HttpClient.newHttpClient().send(
                java.net.http.HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/v1/files/")).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(listing.body()).doesNotContain(".pohmelfs");
    }
}
