package org.pohmelfs.gateway.webdav;

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
import org.pohmelfs.gateway.testing.PatternStream;
import org.pohmelfs.gateway.testing.GatewayProcess;
import org.pohmelfs.gateway.testing.LocalNodes;

/**
 * A 2 GiB PUT, GET and Range GET through {@code /dav/} of a gateway process limited to a 256 MiB
 * heap: nothing is buffered whole, and GET and Range GET carry Content-Length.
 */
class DavLargeFileTest {
    static final long SIZE = 2L * 1024 * 1024 * 1024;
    static final int TAIL = 65_536;

    @TempDir
    Path tmp;

    @Test
    void twoGibibytesUpAndDownThroughWebDav() throws Exception {
        try (LocalNodes nodes = LocalNodes.start(tmp.resolve("cluster"), 1);
             GatewayProcess gw = GatewayProcess.start(tmp.resolve("gw.log"), List.of("-Xmx256m"), nodes.addresses())) {
            HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            String url = gw.baseUrl() + "/dav/big.bin";
            MessageDigest sent = MessageDigest.getInstance("SHA-256");
            HttpResponse<Void> put = http.send(HttpRequest.newBuilder(URI.create(url))
                    .PUT(HttpRequest.BodyPublishers.fromPublisher(
                            HttpRequest.BodyPublishers.ofInputStream(() -> new PatternStream(SIZE, sent)), SIZE))
                    .build(), HttpResponse.BodyHandlers.discarding());
            assertThat(put.statusCode()).isEqualTo(201);
            assertThat(Files.size(nodes.get(0).export().resolve("big.bin"))).isEqualTo(SIZE);

            HttpResponse<InputStream> get = http.send(HttpRequest.newBuilder(URI.create(url)).build(),
                    HttpResponse.BodyHandlers.ofInputStream());
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

            // The last 64 KiB by a suffix range and by an open range: exact bytes, with Content-Length.
            byte[] tail = new byte[TAIL];
            try (InputStream expected = new PatternStream(SIZE, MessageDigest.getInstance("SHA-256"))) {
                expected.skipNBytes(SIZE - TAIL);
                assertThat(expected.readNBytes(tail, 0, TAIL)).isEqualTo(TAIL);
            }
            for (String range : List.of("bytes=-" + TAIL, "bytes=" + (SIZE - TAIL) + "-")) {
                HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(URI.create(url)).header("Range", range).build(),
                        HttpResponse.BodyHandlers.ofByteArray());
                assertThat(r.statusCode()).as(range).isEqualTo(206);
                assertThat(r.headers().firstValueAsLong("Content-Length")).as(range).hasValue(TAIL);
                assertThat(r.headers().firstValue("Content-Range")).as(range)
                        .contains("bytes " + (SIZE - TAIL) + "-" + (SIZE - 1) + "/" + SIZE);
                assertThat(r.body()).as(range).isEqualTo(tail);
            }
            assertThat(gw.isAlive()).as("no OutOfMemoryError").isTrue();
        }
    }
}
