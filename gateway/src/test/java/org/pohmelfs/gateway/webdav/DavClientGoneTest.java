package org.pohmelfs.gateway.webdav;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.pohmelfs.gateway.rest.GatewayTestSupport;
import org.pohmelfs.gateway.testing.LocalNodes;
import org.pohmelfs.testing.FaultProxy;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * A WebDAV client that leaves while Milton is still working on its request (before the answer's
 * headers went out) must not leave the request's virtual thread behind: it used to wait in
 * {@link BoundedPipe#send} for a reader that never came, forever, and the gateway then could not
 * shut down (its virtual-thread executor waits for every thread). The node's answers are slowed
 * by a fault proxy, so the request is still in Milton when the client closes its connection.
 */
class DavClientGoneTest {
    static Path dir;
    static LocalNodes nodes;
    static FaultProxy proxy;
    static ConfigurableApplicationContext gateway;
    static String base;

    @BeforeAll
    static void start() throws Exception {
        dir = Files.createTempDirectory("dav-client-gone");
        nodes = LocalNodes.start(dir, 1);
        proxy = FaultProxy.start(nodes.addresses());
        gateway = GatewayTestSupport.startGateway("gw1", proxy.address());
        base = GatewayTestSupport.baseUrl(gateway);
    }

    @AfterAll
    static void stop() throws Exception {
        // Bounded: with a thread left behind, the context's close waits for it forever.
        Thread closing = Thread.ofPlatform().daemon().start(gateway::close);
        closing.join(Duration.ofSeconds(30));
        assertThat(closing.isAlive()).as("the gateway still shutting down after 30 s").isFalse();
        proxy.close();
        nodes.close();
    }

    @Test
    void aClientThatLeavesBeforeTheAnswerLeavesNoThreadBehind() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        HttpResponse<Void> put = http.send(HttpRequest.newBuilder(URI.create(base + "/dav/gone.txt"))
                .PUT(HttpRequest.BodyPublishers.ofString("gone")).build(), HttpResponse.BodyHandlers.discarding());
        assertThat(put.statusCode()).isEqualTo(201);
        DavWebFilter filter = gateway.getBean("davWebFilter", DavWebFilter.class);
        await(() -> filter.active() == 0, "the PUT's thread to end");

        proxy.delay(FaultProxy.Direction.DOWNSTREAM, Duration.ofMillis(1500));
        URI uri = URI.create(base);
        try (Socket client = new Socket(uri.getHost(), uri.getPort())) {
            OutputStream out = client.getOutputStream();
            out.write(("PROPFIND /dav/gone.txt HTTP/1.1\r\nHost: " + uri.getHost() + "\r\nDepth: 0\r\n"
                    + "Content-Length: 0\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            await(() -> filter.active() == 1, "Milton to start on the PROPFIND");
        } // the client leaves; the node's answer is still on its way
        await(() -> filter.active() == 0, "the PROPFIND's thread to end after its client left");

        proxy.delay(FaultProxy.Direction.DOWNSTREAM, Duration.ZERO);
        HttpResponse<String> again = http.send(HttpRequest.newBuilder(URI.create(base + "/dav/gone.txt")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(again.statusCode()).isEqualTo(200);
        assertThat(again.body()).isEqualTo("gone");
    }

    private static void await(java.util.function.BooleanSupplier condition, String what) {
        org.awaitility.Awaitility.await(what).atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(20))
                .until(condition::getAsBoolean);
    }
}
