package org.pohmelfs.gateway.rest;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.pohmelfs.gateway.testing.LocalNodes;
import org.pohmelfs.node.store.StoreSettings;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Two gateways over the same node: ETags come from the node, so both give the same ETag for the
 * same version; a change through one is what the other serves next. Also: a node-side failure
 * in the middle of an upload (the export's size limit) leaves the previous version intact.
 */
class TwoGatewaysTest {
    static LocalNodes nodes;
    static ConfigurableApplicationContext a;
    static ConfigurableApplicationContext b;
    static final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void start() throws Exception {
        Path dir = Files.createTempDirectory("two-gateways");
        nodes = new LocalNodes(java.time.Duration.ofSeconds(1)); // leases: both gateways cache
        Path export = Files.createDirectories(dir.resolve("node1"));
        nodes.add(dir, "node1", StoreSettings.defaults(export).withSizeLimit(8L * 1024 * 1024));
        a = GatewayTestSupport.startGateway("gw-a", nodes.addresses());
        b = GatewayTestSupport.startGateway("gw-b", nodes.addresses());
    }

    @AfterAll
    static void stop() {
        a.close();
        b.close();
        nodes.close();
    }

    static HttpResponse<String> send(ConfigurableApplicationContext gw, String method, String path, byte[] body)
            throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(GatewayTestSupport.baseUrl(gw) + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body))
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void bothGatewaysGiveTheSameEtagAndTheLatestContent() throws Exception {
        HttpResponse<String> put = send(a, "PUT", "/api/v1/files/shared.txt", "one".getBytes());
        String etag = put.headers().firstValue("ETag").orElseThrow();
        HttpResponse<String> viaB = send(b, "GET", "/api/v1/files/shared.txt", null);
        assertThat(viaB.body()).isEqualTo("one");
        assertThat(viaB.headers().firstValue("ETag")).contains(etag);

        send(b, "PUT", "/api/v1/files/shared.txt", "two".getBytes());
        HttpResponse<String> viaA = send(a, "GET", "/api/v1/files/shared.txt", null);
        assertThat(viaA.body()).isEqualTo("two");
        assertThat(viaA.headers().firstValue("ETag")).isPresent().get().isNotEqualTo(etag)
                .isEqualTo(send(b, "HEAD", "/api/v1/files/shared.txt", null).headers().firstValue("ETag").orElseThrow());
        assertThat(send(a, "GET", "/api/v1/files/", null).headers().firstValue("ETag"))
                .isEqualTo(send(b, "GET", "/api/v1/files/", null).headers().firstValue("ETag"));
    }

    @Test
    void anUploadOverTheExportLimitIs507AndThePreviousVersionStays() throws Exception {
        assertThat(send(a, "PUT", "/api/v1/files/limited.bin", new byte[1000]).statusCode()).isEqualTo(201);
        HttpResponse<String> big = send(a, "PUT", "/api/v1/files/limited.bin", new byte[12 * 1024 * 1024]);
        assertThat(big.statusCode()).isEqualTo(507);
        assertThat(big.body()).contains("NO_SPACE");
        assertThat(send(b, "GET", "/api/v1/files/limited.bin", null).body()).hasSize(1000);
        assertThat(send(a, "GET", "/api/v1/files/", null).body()).doesNotContain("pohmelfs");
    }

    @Test
    void oversizedAttributeValuesAre413() throws Exception {
        send(a, "PUT", "/api/v1/files/x.txt", "x".getBytes());
        assertThat(send(a, "PUT", "/api/v1/xattrs/x.txt?name=big", new byte[70_000]).statusCode()).isEqualTo(413);
    }
}
