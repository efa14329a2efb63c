package org.pohmelfs.gateway.rest;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpClient;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pohmelfs.gateway.testing.GatewayProcess;
import org.pohmelfs.gateway.testing.LargeTransfer;
import org.pohmelfs.gateway.testing.LocalNodes;

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
            LargeTransfer.roundTrip(HttpClient.newHttpClient(), gw.baseUrl() + "/api/v1/files/big.bin", SIZE,
                    nodes.get(0).export().resolve("big.bin"));
            assertThat(gw.isAlive()).as("no OutOfMemoryError").isTrue();
        }
    }
}
