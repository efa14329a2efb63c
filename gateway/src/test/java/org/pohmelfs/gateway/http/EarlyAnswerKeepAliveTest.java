package org.pohmelfs.gateway.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.pohmelfs.gateway.rest.GatewayTestSupport;
import org.pohmelfs.gateway.testing.LocalNodes;
import org.pohmelfs.gateway.testing.RawHttpConnection;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * A request answered before its body was read (a refused XML body, a PUT into a missing
 * folder, onto a locked file, with a failed If-Match, a PATCH whose length does not match)
 * must not leave its keep-alive connection stuck: either the gateway reads and drops the rest
 * of the body and answers the next request on the same connection, or it says
 * {@code Connection: close} and closes. Over a raw socket, the body written in many small
 * writes (so the gateway reads it in many reads, before and after its answer), with
 * Content-Length, chunked, and with {@code Expect: 100-continue}.
 */
class EarlyAnswerKeepAliveTest {
    /** Longer than any answer takes on a loaded machine; a read that waits this long is a hang. */
    static final Duration BOUND = Duration.ofSeconds(30);
    static final int BIG = 2 * 1024 * 1024;
    static final int PIECE = 16 * 1024;
    static final Duration PAUSE = Duration.ofMillis(1);
    static final int ROUNDS = 200;
    static final String PROPFIND_ALL = "<?xml version=\"1.0\"?><D:propfind xmlns:D=\"DAV:\"><D:allprop/></D:propfind>";

    static Path dir;
    static LocalNodes nodes;
    static ConfigurableApplicationContext gateway;
    static int port;
    static final ExecutorService writers = Executors.newVirtualThreadPerTaskExecutor();

    @BeforeAll
    static void start() throws Exception {
        dir = Files.createTempDirectory("early-answer-test");
        nodes = LocalNodes.start(dir, 1, Duration.ofSeconds(1)); // leases: through the cache, as WebDavApiTest
        gateway = GatewayTestSupport.startGateway("gw1", nodes.addresses());
        port = Integer.parseInt(GatewayTestSupport.baseUrl(gateway).replaceAll(".*:", ""));
        try (RawHttpConnection c = RawHttpConnection.open(port, BOUND)) {
            c.write(head("PUT", "/api/v1/files/exists.txt", "Content-Length: 5\r\n") + "hello");
            assertThat(c.readFinal().status()).isEqualTo(201);
            String lock = "<?xml version=\"1.0\"?><D:lockinfo xmlns:D=\"DAV:\"><D:lockscope><D:exclusive/></D:lockscope>"
                    + "<D:locktype><D:write/></D:locktype><D:owner>test</D:owner></D:lockinfo>";
            c.write(head("LOCK", "/dav/locked.txt", "Content-Length: " + lock.length() + "\r\nTimeout: Second-3600\r\n")
                    + lock);
            assertThat(c.readFinal().status()).isIn(200, 201);
        }
    }

    @AfterAll
    static void stop() {
        writers.close();
        if (gateway != null) {
            gateway.close();
        }
        if (nodes != null) {
            nodes.close();
        }
    }

    static String head(String method, String target, String headers) {
        return method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\n" + headers + "\r\n";
    }

    /** How the body of the first request is framed. */
    enum Framing { LENGTH, CHUNKED, EXPECT_LENGTH, EXPECT_CHUNKED }

    record Case(String method, String target, String headers, byte[] body, int status) {
        @Override
        public String toString() {
            return method + " " + target + " " + headers.replace("\r\n", " ") + "(" + body.length + " bytes) -> " + status;
        }
    }

    static byte[] filler(int size) {
        byte[] b = new byte[size];
        Arrays.fill(b, (byte) 'a');
        return b;
    }

    static List<Case> cases() {
        byte[] big = filler(BIG);
        byte[] xxe = ("<?xml version=\"1.0\"?><!DOCTYPE D [<!ENTITY e SYSTEM \"file:///etc/passwd\">]>"
                + "<D:propfind xmlns:D=\"DAV:\"><D:prop><D:displayname>&e;</D:displayname></D:prop></D:propfind>")
                .getBytes(StandardCharsets.UTF_8);
        byte[] bigXml = ("<?xml version=\"1.0\"?><D:propfind xmlns:D=\"DAV:\"><D:prop><D:displayname>"
                + "a".repeat(BIG) + "</D:displayname></D:prop></D:propfind>").getBytes(StandardCharsets.UTF_8);
        return List.of(
                // WebDAV, XML bodies (collected and screened before Milton)
                new Case("PROPFIND", "/dav/exists.txt", "Depth: 0\r\n", xxe, 400),
                new Case("PROPFIND", "/dav/exists.txt", "Depth: 0\r\n", bigXml, 413),
                new Case("PROPPATCH", "/dav/exists.txt", "", bigXml, 413),
                new Case("PROPFIND", "/dav/exists.txt", "Depth: infinity\r\n", big, 403),
                new Case("MKCOL", "/dav/newdir", "", filler(200_000), 415),
                // WebDAV, streamed bodies (Milton reads them, or not)
                new Case("PUT", "/dav/nodir/x.bin", "", big, 409),
                new Case("PUT", "/dav/locked.txt", "", big, 423),
                new Case("PUT", "/dav/exists.txt", "If-Match: \"nope\"\r\n", big, 412),
                // REST
                new Case("PUT", "/api/v1/files/exists.txt", "If-Match: \"nope\"\r\n", big, 412),
                new Case("PUT", "/api/v1/files/nodir/x.bin", "", big, 409),
                new Case("PUT", "/api/v1/files/locked.txt", "", big, 423),
                new Case("PATCH", "/api/v1/files/exists.txt", "Content-Range: bytes 0-9/*\r\n", big, 400),
                new Case("PUT", "/api/v1/xattrs/exists.txt?name=user.big", "", filler(1024 * 1024), 413));
    }

    static Stream<Object[]> requests() {
        List<Object[]> all = new ArrayList<>();
        for (Case c : cases()) {
            for (Framing f : Framing.values()) {
                all.add(new Object[] {c, f});
            }
        }
        return all.stream();
    }

    /** A refusal the gateway makes on the event loop, before the body is read, and its status. */
    record Refusal(String request, int status) {
        @Override
        public String toString() {
            return request.substring(0, request.indexOf('\r')) + " -> " + status;
        }
    }

    static List<Refusal> refusals() {
        return List.of(
                new Refusal(head("PROPFIND", "/dav/%2e%2e/etc", "Depth: 0\r\nContent-Length: " + PROPFIND_ALL.length() + "\r\n")
                        + PROPFIND_ALL, 400),
                new Refusal(head("PROPFIND", "/dav/", "Depth: infinity\r\nContent-Length: " + PROPFIND_ALL.length()
                        + "\r\n") + PROPFIND_ALL, 403),
                new Refusal(head("GET", "/dav/%2e%2e/etc", ""), 400),
                new Refusal(head("MOVE", "/dav/exists.txt", "Destination: http://elsewhere.example/dav/x\r\n"), 502),
                new Refusal(head("PATCH", "/api/v1/files/exists.txt", "Content-Range: bytes 0-0/*\r\n"), 411));
    }

    /**
     * Deterministic: a WebDAV request (answered from a virtual thread) and, in the same write,
     * one the gateway refuses on the event loop; both answered, then a third request on the
     * same connection must be answered too. With Reactor Netty 1.3.6 alone the third request
     * was never read (reactor/reactor-netty#4361).
     */
    @ParameterizedTest
    @MethodSource("refusals")
    void aPipelinedRequestAnsweredAtOnceLeavesTheConnectionReading(Refusal refusal) throws Exception {
        try (RawHttpConnection conn = RawHttpConnection.open(port, BOUND)) {
            conn.write(head("OPTIONS", "/dav/", "") + refusal.request());
            assertThat(conn.readFinal().status()).isEqualTo(200);
            assertThat(conn.readFinal().status()).isEqualTo(refusal.status());
            conn.write(head("OPTIONS", "/dav/", ""));
            assertThat(answer(conn, "the request after a pipelined refusal").status()).isEqualTo(200);
        }
    }

    /**
     * The hang as WebDavApiTest met it, without pipelining: a refusal sent right after a WebDAV
     * answer arrives while that exchange is still ending. A race, so many rounds; before the
     * workaround one of the first few dozen hung. Headers and body in two writes, as the JDK
     * client sends them, with and without its h2c upgrade headers.
     */
    @org.junit.jupiter.api.Test
    void refusalsRightAfterWebDavAnswersLeaveTheConnectionReading() throws Exception {
        String upgrade = "Connection: Upgrade, HTTP2-Settings\r\nHTTP2-Settings: AAEAAEAAAAIAAAAAAAMAAAAAAAQBAAAAAAUAAEAAAAYABgAA"
                + "\r\nUpgrade: h2c\r\n";
        try (RawHttpConnection conn = RawHttpConnection.open(port, BOUND)) {
            for (int round = 0; round < ROUNDS; round++) {
                String u = round % 2 == 0 ? upgrade : "";
                conn.write(head("PUT", "/dav/round.txt", u + "Content-Length: 1\r\n"));
                conn.write("x");
                assertThat(answer(conn, "round " + round + ": the PUT").status()).isIn(201, 204);
                conn.write(head("PROPFIND", "/dav/%2e%2e/etc", u + "Depth: 0\r\nContent-Length: " + PROPFIND_ALL.length()
                        + "\r\n"));
                conn.write(PROPFIND_ALL);
                assertThat(answer(conn, "round " + round + ": the refused PROPFIND").status()).isEqualTo(400);
            }
        }
    }

    /** The same with the JDK's HTTP client, which pools the connection (WebDavApiTest's client). */
    @org.junit.jupiter.api.Test
    void theJdkClientIsAnsweredAfterRefusals() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        String base = "http://127.0.0.1:" + port;
        for (int round = 0; round < ROUNDS; round++) {
            HttpResponse<String> refused = http.send(HttpRequest.newBuilder(URI.create(base + "/dav/%2e%2e/etc"))
                    .timeout(BOUND).header("Depth", "0")
                    .method("PROPFIND", HttpRequest.BodyPublishers.ofString(PROPFIND_ALL)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(refused.statusCode()).isEqualTo(400);
            HttpResponse<String> put = http.send(HttpRequest.newBuilder(URI.create(base + "/dav/jdk.txt")).timeout(BOUND)
                    .PUT(HttpRequest.BodyPublishers.ofString("x")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(put.statusCode()).as("round " + round).isIn(201, 204);
        }
    }

    static RawHttpConnection.Response answer(RawHttpConnection conn, String what) throws IOException {
        try {
            return conn.readFinal();
        } catch (java.net.SocketTimeoutException e) {
            throw new AssertionError("no answer to " + what + " on a kept-alive connection: the gateway stopped reading", e);
        }
    }

    @ParameterizedTest(name = "{1} {0}")
    @MethodSource("requests")
    void theConnectionGoesOnOrIsClosed(Case c, Framing framing) throws Exception {
        boolean chunked = framing == Framing.CHUNKED || framing == Framing.EXPECT_CHUNKED;
        boolean expect = framing == Framing.EXPECT_LENGTH || framing == Framing.EXPECT_CHUNKED;
        String headers = c.headers() + (chunked ? "Transfer-Encoding: chunked\r\n" : "Content-Length: " + c.body().length
                + "\r\n") + (expect ? "Expect: 100-continue\r\n" : "");
        try (RawHttpConnection conn = RawHttpConnection.open(port, BOUND)) {
            CompletableFuture<Boolean> goOn = new CompletableFuture<>(); // true: 100 Continue came; false: a final answer
            if (!expect) {
                goOn.complete(true);
            }
            Future<Boolean> writer = writers.submit(() -> {
                conn.write(head(c.method(), c.target(), headers));
                if (!goOn.get(BOUND.toSeconds(), TimeUnit.SECONDS)) {
                    return false; // refused before the body: not sent (RFC 9110 10.1.1)
                }
                if (chunked) {
                    conn.writeChunked(c.body(), PIECE, PAUSE);
                } else {
                    conn.writeInPieces(c.body(), PIECE, PAUSE);
                }
                return true;
            });
            RawHttpConnection.Response first = conn.read();
            if (first.informational()) {
                assertThat(first.status()).isEqualTo(100);
                goOn.complete(true);
                first = conn.readFinal();
            } else {
                goOn.complete(false);
            }
            // a PATCH without a Content-Length is refused for that first
            int expected = chunked && c.method().equals("PATCH") ? 411 : c.status();
            assertThat(first.status()).as(first.text()).isEqualTo(expected);
            if (first.closes()) {
                assertThat(conn.closedByPeer()).as("closed after Connection: close").isTrue();
                return;
            }
            // Kept alive: the body must be taken whole, then the next request answered.
            boolean sent;
            try {
                sent = writer.get(BOUND.toSeconds(), TimeUnit.SECONDS);
            } catch (java.util.concurrent.TimeoutException e) {
                throw new AssertionError("the gateway stopped reading a kept-alive connection's request body", e);
            }
            conn.write(head("OPTIONS", "/dav/", "Content-Length: 0\r\n"));
            assertThat(answer(conn, "the next request (body " + (sent ? "sent" : "not sent") + ")").status())
                    .isEqualTo(200);
        }
    }
}
