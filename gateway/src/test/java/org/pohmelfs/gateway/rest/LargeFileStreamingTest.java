package org.pohmelfs.gateway.rest;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pohmelfs.gateway.testing.GatewayProcess;
import org.pohmelfs.gateway.testing.LocalNodes;
import org.pohmelfs.gateway.testing.PatternStream;

/**
 * A 2 GiB upload and download through a gateway process limited to a 256 MiB heap: both
 * directions stream, so the file never sits in the gateway's memory.
 */
class LargeFileStreamingTest {
    static final long SIZE = 2L * 1024 * 1024 * 1024;

    @TempDir
    Path tmp;

    @Test
    void twoGibibytesUpAndDownThroughA256MibGateway() throws Exception {
        try (LocalNodes nodes = LocalNodes.start(tmp.resolve("cluster"), 1);
             GatewayProcess gw = GatewayProcess.start(tmp.resolve("gw.log"), List.of("-Xmx256m"), nodes.addresses())) {
            HttpClient http = HttpClient.newHttpClient();
            MessageDigest sent = MessageDigest.getInstance("SHA-256");
            HttpResponse<Void> put = http.send(HttpRequest.newBuilder(URI.create(gw.baseUrl() + "/api/v1/files/big.bin"))
                    .PUT(HttpRequest.BodyPublishers.fromPublisher(
                            HttpRequest.BodyPublishers.ofInputStream(() -> new PatternStream(SIZE, sent)), SIZE))
                    .build(), HttpResponse.BodyHandlers.discarding());
            assertThat(put.statusCode()).isEqualTo(201);
            assertThat(Files.size(nodes.get(0).export().resolve("big.bin"))).isEqualTo(SIZE);

            HttpResponse<InputStream> get = http.send(HttpRequest.newBuilder(URI.create(gw.baseUrl() + "/api/v1/files/big.bin"))
                    .build(), HttpResponse.BodyHandlers.ofInputStream());
            assertThat(get.statusCode()).isEqualTo(200);
            assertThat(get.headers().firstValueAsLong("Content-Length")).hasValue(SIZE);
            MessageDigest received = MessageDigest.getInstance("SHA-256");
            long total = 0;
            try (InputStream in = get.body()) {
                byte[] buf = new byte[1 << 16];
                for (int n; (n = in.read(buf)) > 0; ) {
                    received.update(buf, 0, n);
                    total += n;
                }
            }
            assertThat(total).isEqualTo(SIZE);
            assertThat(HexFormat.of().formatHex(received.digest())).isEqualTo(HexFormat.of().formatHex(sent.digest()));
            assertThat(gw.isAlive()).as("no OutOfMemoryError").isTrue();
        }
    }
}
