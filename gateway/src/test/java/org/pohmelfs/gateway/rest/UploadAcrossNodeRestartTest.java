package org.pohmelfs.gateway.rest;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pohmelfs.gateway.files.FileService;
import org.pohmelfs.testing.NodeProcess;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * A large PUT streamed slowly while its only node process is SIGKILLed and restarted between
 * chunks: the chunks went unstable, so the restarted node refuses the COMMIT that opens the
 * final transaction (UNSTABLE_LOST: the file carries the marker of the killed process), the
 * RENAME does not happen, the client gets 503 and the old content stays. Deterministic: the
 * body is held back while the node restarts, and the chunks before the kill are seen on disk.
 */
class UploadAcrossNodeRestartTest {
    private static final int MIB = 1 << 20;

    @TempDir
    Path dir;

    @Test
    void aNodeRestartedInTheMiddleOfAnUploadFailsItAndKeepsTheOldContent() throws Exception {
        Path export = Files.createDirectories(dir.resolve("export"));
        try (NodeProcess node = new NodeProcess(export, dir.resolve("node.log"), "--pohmelfs.node.id=n1").start()) {
            String address = "127.0.0.1:" + node.address().getPort();
            try (ConfigurableApplicationContext gw = GatewayTestSupport.startGateway("gw-restart", address)) {
                String url = GatewayTestSupport.baseUrl(gw) + "/api/v1/files/doc.bin";
                HttpClient http = HttpClient.newHttpClient();
                HttpResponse<String> old = http.send(HttpRequest.newBuilder(URI.create(url))
                        .PUT(HttpRequest.BodyPublishers.ofString("old")).build(), HttpResponse.BodyHandlers.ofString());
                assertThat(old.statusCode()).isEqualTo(201);

                PipedOutputStream body = new PipedOutputStream();
                PipedInputStream in = new PipedInputStream(body, 64 * 1024);
                CompletableFuture<HttpResponse<String>> put = http.sendAsync(HttpRequest.newBuilder(URI.create(url))
                        .PUT(HttpRequest.BodyPublishers.ofInputStream(() -> in)).build(),
                        HttpResponse.BodyHandlers.ofString());
                byte[] chunk = new byte[MIB];
                for (int i = 0; i < 3; i++) {
                    java.util.Arrays.fill(chunk, (byte) i);
                    body.write(chunk);
                }
                // Half a chunk more, so the first three have passed the pipe and the client's buffers.
                body.write(chunk, 0, MIB / 2);
                Path staging = export.resolve(FileService.STAGING);
                Awaitility.await().atMost(Duration.ofSeconds(120)).until(() -> stagedBytes(staging) >= 3L * MIB);

                node.kill();
                node.start(); // same ports, a new incarnation
                body.write(chunk, MIB / 2, MIB / 2);
                java.util.Arrays.fill(chunk, (byte) 4);
                body.write(chunk);
                body.close();
                HttpResponse<String> r = put.get(120, TimeUnit.SECONDS);
                assertThat(r.statusCode()).as(r.body()).isEqualTo(503);
                assertThat(r.body()).contains("lost unstable writes");

                HttpResponse<String> get = http.send(HttpRequest.newBuilder(URI.create(url)).GET().build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(get.statusCode()).isEqualTo(200);
                assertThat(get.body()).isEqualTo("old");
                assertThat(Files.readString(export.resolve("doc.bin"), StandardCharsets.UTF_8)).isEqualTo("old");
            }
        }
    }

    private static long stagedBytes(Path staging) throws Exception {
        if (!Files.isDirectory(staging)) {
            return 0;
        }
        try (Stream<Path> s = Files.list(staging)) {
            return s.mapToLong(p -> p.toFile().length()).max().orElse(0);
        }
    }
}
