package org.pohmelfs.gateway.webdav;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pohmelfs.gateway.testing.PatternStream;
import org.pohmelfs.gateway.testing.GatewayProcess;
import org.pohmelfs.gateway.testing.LargeTransfer;
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
            LargeTransfer.roundTrip(http, url, SIZE, nodes.get(0).export().resolve("big.bin"));

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
