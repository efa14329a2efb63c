package org.pohmelfs.gateway.testing;

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

/** Streams a large {@link PatternStream} file up and down through one URL and checks every byte. */
public final class LargeTransfer {
    private LargeTransfer() {
    }

    /**
     * PUTs {@code size} pattern bytes to {@code url} (201, and {@code stored} on the node has that
     * size), then GETs them back (200 with Content-Length) and compares SHA-256 digests.
     */
    public static void roundTrip(HttpClient http, String url, long size, Path stored) throws Exception {
        MessageDigest sent = MessageDigest.getInstance("SHA-256");
        HttpResponse<Void> put = http.send(HttpRequest.newBuilder(URI.create(url))
                .PUT(HttpRequest.BodyPublishers.fromPublisher(
                        HttpRequest.BodyPublishers.ofInputStream(() -> new PatternStream(size, sent)), size))
                .build(), HttpResponse.BodyHandlers.discarding());
        assertThat(put.statusCode()).isEqualTo(201);
        assertThat(Files.size(stored)).isEqualTo(size);

        HttpResponse<InputStream> get = http.send(HttpRequest.newBuilder(URI.create(url)).build(),
                HttpResponse.BodyHandlers.ofInputStream());
        assertThat(get.statusCode()).isEqualTo(200);
        assertThat(get.headers().firstValueAsLong("Content-Length")).hasValue(size);
        MessageDigest received = MessageDigest.getInstance("SHA-256");
        long total = 0;
        try (InputStream in = get.body()) {
            byte[] buf = new byte[1 << 16];
            for (int n; (n = in.read(buf)) > 0; ) {
                received.update(buf, 0, n);
                total += n;
            }
        }
        assertThat(total).isEqualTo(size);
        assertThat(HexFormat.of().formatHex(received.digest())).isEqualTo(HexFormat.of().formatHex(sent.digest()));
    }
}
