package org.pohmelfs.gateway.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.pohmelfs.gateway.rest.GatewayTestSupport;
import org.pohmelfs.gateway.testing.LocalNodes;
import org.pohmelfs.gateway.testing.RawHttpConnection;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.security.crypto.bcrypt.BCryptPasswordEncoder;

/**
 * A user confined to {@code /team/a} sees the tree from there, over REST and WebDAV alike, and
 * cannot reach outside it by any path trick: raw request lines over a socket (nothing
 * normalised by a client), Destination headers, REST targets. The node's files are checked
 * after every trick.
 */
class ConfinementTest {
    static LocalNodes nodes;
    static ConfigurableApplicationContext gw;
    static Path export;
    static String base;
    static int port;
    static final HttpClient http = HttpClient.newHttpClient();
    static final String SECRET = "top secret";
    /** Files outside /team/a, made by the admin before any test. */
    static Set<String> outside;

    @BeforeAll
    static void start() throws Exception {
        nodes = LocalNodes.start(Files.createTempDirectory("confinement-test"), 1);
        export = nodes.get(0).export();
        String hash = "{bcrypt}" + new BCryptPasswordEncoder(4).encode("pw");
        gw = GatewayTestSupport.startGateway("gw-confine", nodes.addresses(),
                "--pohmelfs.gateway.auth.enabled=true",
                "--pohmelfs.gateway.auth.users[0].name=admin",
                "--pohmelfs.gateway.auth.users[0].password=" + hash,
                "--pohmelfs.gateway.auth.users[0].admin=true",
                "--pohmelfs.gateway.auth.users[1].name=carol",
                "--pohmelfs.gateway.auth.users[1].password=" + hash,
                "--pohmelfs.gateway.auth.users[1].root=/team/a");
        base = GatewayTestSupport.baseUrl(gw);
        port = ((WebServerApplicationContext) gw).getWebServer().getPort();
        assertThat(send("admin", "PUT", "/api/v1/files/secret.txt", SECRET).statusCode()).isEqualTo(201);
        assertThat(send("admin", "PUT", "/api/v1/files/team/b/secret.txt?parents=true", SECRET).statusCode())
                .isEqualTo(201);
        assertThat(send("admin", "PUT", "/api/v1/files/team/ab.txt?parents=true", SECRET).statusCode())
                .isEqualTo(201);
        outside = filesOutsideTheRoot();
    }

    @AfterAll
    static void stop() {
        gw.close();
        nodes.close();
    }

    static String auth(String user) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":pw").getBytes(StandardCharsets.UTF_8));
    }

    static HttpResponse<String> send(String user, String method, String path, String body, String... headers)
            throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body))
                .header("Authorization", auth(user));
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** One request written byte for byte on a fresh connection, as carol. */
    static RawHttpConnection.Response raw(String method, String target, String... headers) throws Exception {
        try (RawHttpConnection c = RawHttpConnection.open(port, Duration.ofSeconds(20))) {
            StringBuilder r = new StringBuilder(method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1:" + port
                    + "\r\nAuthorization: " + auth("carol") + "\r\nContent-Length: 0\r\nConnection: close\r\n");
            for (int i = 0; i < headers.length; i += 2) {
                r.append(headers[i]).append(": ").append(headers[i + 1]).append("\r\n");
            }
            c.write(r.append("\r\n").toString());
            return c.readFinal();
        }
    }

    static Set<String> filesOutsideTheRoot() throws Exception {
        Set<String> found = new TreeSet<>();
        try (Stream<Path> all = Files.walk(export)) {
            all.filter(Files::isRegularFile).map(p -> export.relativize(p).toString())
                    .filter(p -> !p.startsWith("team/a/") && !p.startsWith(".pohmelfs")).forEach(found::add);
        }
        return found;
    }

    static void nothingOutsideChanged() throws Exception {
        assertThat(filesOutsideTheRoot()).isEqualTo(outside);
        for (String f : outside) {
            assertThat(Files.readString(export.resolve(f))).as(f).isEqualTo(SECRET);
        }
    }

    @Test
    void restSeesTheTreeFromTheRoot() throws Exception {
        HttpResponse<String> put = send("carol", "PUT", "/api/v1/files/r/x.txt?parents=true", "hello");
        assertThat(put.statusCode()).isEqualTo(201);
        assertThat(put.headers().firstValue("Location")).contains("/api/v1/files/r/x.txt");
        assertThat(Files.readString(export.resolve("team/a/r/x.txt"))).isEqualTo("hello");
        assertThat(send("admin", "GET", "/api/v1/files/team/a/r/x.txt", null).body()).isEqualTo("hello");

        HttpResponse<String> top = send("carol", "GET", "/api/v1/files/", null);
        assertThat(top.statusCode()).isEqualTo(200);
        assertThat(top.body()).contains("\"path\":\"/\"").contains("\"name\":\"r\"").doesNotContain("team")
                .doesNotContain("ab.txt");
        assertThat(send("carol", "GET", "/api/v1/files/r", null).body()).contains("\"path\":\"/r\"");

        HttpResponse<String> moved = send("carol", "POST", "/api/v1/files/r/x.txt?action=move&to=/r/y.txt", null);
        assertThat(moved.statusCode()).isEqualTo(201);
        assertThat(moved.headers().firstValue("Location")).contains("/api/v1/files/r/y.txt");
        assertThat(Files.readString(export.resolve("team/a/r/y.txt"))).isEqualTo("hello");
        assertThat(send("carol", "POST", "/api/v1/files/r/y.txt?action=copy&to=/r/z.txt", null).statusCode())
                .isEqualTo(201);
        assertThat(Files.exists(export.resolve("team/a/r/z.txt"))).isTrue();

        assertThat(send("carol", "GET", "/api/v1/xattrs/r/y.txt", null).body()).contains("\"path\":\"/r/y.txt\"");
        HttpResponse<String> missing = send("carol", "GET", "/api/v1/files/r/nothing", null);
        assertThat(missing.statusCode()).isEqualTo(404);
        assertThat(missing.body()).as("error details name view paths only").doesNotContain("team");
        nothingOutsideChanged();
    }

    @Test
    void webDavSeesTheTreeFromTheRoot() throws Exception {
        assertThat(send("carol", "MKCOL", "/dav/d/", null).statusCode()).isEqualTo(201);
        assertThat(send("carol", "PUT", "/dav/d/f.txt", "dav").statusCode()).isEqualTo(201);
        assertThat(Files.readString(export.resolve("team/a/d/f.txt"))).isEqualTo("dav");
        assertThat(send("carol", "GET", "/dav/d/f.txt", null).body()).isEqualTo("dav");

        HttpResponse<String> list = send("carol", "PROPFIND", "/dav/", null, "Depth", "1");
        assertThat(list.statusCode()).isEqualTo(207);
        assertThat(list.body()).contains("/dav/d/").doesNotContain("team").doesNotContain("ab.txt")
                .doesNotContain("<d:displayname>a</d:displayname>");

        assertThat(send("carol", "COPY", "/dav/d/f.txt", null, "Destination", base + "/dav/d/g.txt").statusCode())
                .isEqualTo(201);
        assertThat(send("carol", "MOVE", "/dav/d/g.txt", null, "Destination", "/dav/d/h.txt").statusCode())
                .isEqualTo(201);
        assertThat(Files.readString(export.resolve("team/a/d/h.txt"))).isEqualTo("dav");

        String lockinfo = "<?xml version=\"1.0\"?><D:lockinfo xmlns:D=\"DAV:\"><D:lockscope><D:exclusive/>"
                + "</D:lockscope><D:locktype><D:write/></D:locktype></D:lockinfo>";
        HttpResponse<String> lock = send("carol", "LOCK", "/dav/d/h.txt", lockinfo, "Depth", "0");
        assertThat(lock.statusCode()).isEqualTo(200);
        assertThat(lock.body()).contains("<D:lockroot><D:href>/dav/d/h.txt</D:href>").doesNotContain("team");
        String token = lock.headers().firstValue("Lock-Token").orElseThrow();
        assertThat(send("carol", "PROPFIND", "/dav/d/h.txt", null, "Depth", "0").body())
                .contains("/dav/d/h.txt").doesNotContain("team");
        assertThat(send("carol", "PUT", "/dav/d/h.txt", "x", "If", "(" + token + ")").statusCode()).isEqualTo(204);
        assertThat(send("carol", "PUT", "/dav/d/h.txt", "x", "If", "<" + base + "/dav/d/h.txt> (" + token + ")")
                .statusCode()).as("a tagged If header names a view path").isEqualTo(204);
        assertThat(send("carol", "UNLOCK", "/dav/d/h.txt", null, "Lock-Token", token).statusCode()).isEqualTo(204);
        nothingOutsideChanged();
    }

    @Test
    void theRootItselfCannotBeDeletedOrMoved() throws Exception {
        assertThat(send("carol", "DELETE", "/api/v1/files/?recursive=true", null).statusCode()).isEqualTo(403);
        assertThat(send("carol", "POST", "/api/v1/files/?action=move&to=/elsewhere", null).statusCode()).isEqualTo(403);
        assertThat(send("carol", "POST", "/api/v1/files/?action=copy&to=/elsewhere", null).statusCode()).isEqualTo(403);
        assertThat(send("carol", "PUT", "/api/v1/files/", "x").statusCode()).isIn(403, 409);
        assertThat(send("carol", "DELETE", "/dav/", null).statusCode()).isEqualTo(403);
        assertThat(send("carol", "MOVE", "/dav/", null, "Destination", "/dav/elsewhere/").statusCode()).isEqualTo(403);
        assertThat(send("carol", "COPY", "/dav/", null, "Destination", "/dav/elsewhere/").statusCode()).isEqualTo(403);
        assertThat(Files.isDirectory(export.resolve("team/a"))).isTrue();
        nothingOutsideChanged();
    }

    @Test
    void eachRefusalOfTheRootIsLoggedOnceWithItsReason() throws Exception {
        ch.qos.logback.classic.Logger logger = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory
                .getLogger(RefusalLog.LOGGER);
        var lines = new ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent>();
        lines.start();
        ch.qos.logback.classic.Level level = logger.getLevel();
        logger.setLevel(ch.qos.logback.classic.Level.INFO); // the tests' root logger is at WARN
        logger.addAppender(lines);
        try {
            assertThat(send("carol", "DELETE", "/api/v1/files/?recursive=true", null).statusCode()).isEqualTo(403);
            assertThat(send("carol", "DELETE", "/dav/", null).statusCode()).isEqualTo(403);
            assertThat(send("carol", "GET", "/api/v1/files/", null).statusCode()).isEqualTo(200);
        } finally {
            logger.detachAppender(lines);
            logger.setLevel(level);
        }
        List<String> messages = lines.list.stream().map(ch.qos.logback.classic.spi.ILoggingEvent::getFormattedMessage)
                .toList();
        assertThat(messages).hasSize(2);
        assertThat(messages.get(0)).startsWith("refused 403 ").contains("user=carol", "method=DELETE",
                "reason=\"NOT_PERMITTED: the root directory cannot be deleted\"");
        assertThat(messages.get(1)).startsWith("refused 403 ").contains("user=carol", "path=/dav/",
                "reason=\"refused by WebDAV");
    }

    @Test
    void aMissingRootIsMadeOnFirstUse() throws Exception {
        // carol's root did not exist before the admin's PUTs made /team; /team/a came with carol's first request
        assertThat(send("carol", "GET", "/api/v1/files/", null).statusCode()).isEqualTo(200);
        assertThat(Files.isDirectory(export.resolve("team/a"))).isTrue();
    }

    /** Request targets that try to climb out of /team/a; none may read or change anything outside. */
    static final List<String> TRICKS = List.of(
            "/api/v1/files/../secret.txt",
            "/api/v1/files/../../secret.txt",
            "/api/v1/files/%2e%2e/secret.txt",
            "/api/v1/files/%2E%2E/%2E%2E/secret.txt",
            "/api/v1/files/.%2e/.%2e/secret.txt",
            "/api/v1/files/..%2f..%2fsecret.txt",
            "/api/v1/files/..%2F..%2Fsecret.txt",
            "/api/v1/files/..%5c..%5csecret.txt",
            "/api/v1/files/%252e%252e/%252e%252e/secret.txt",
            "/api/v1/files/%c0%ae%c0%ae/%c0%ae%c0%ae/secret.txt",
            "/api/v1/files/%e0%80%ae%e0%80%ae/secret.txt",
            "/api/v1/files/%EF%BC%8E%EF%BC%8E/%EF%BC%8E%EF%BC%8E/secret.txt",
            "/api/v1/files/..%00/secret.txt",
            "/api/v1/files/.../secret.txt",
            "/api/v1/files/.. /secret.txt",
            "/api/v1/files/../../secret.txt.",
            "/api/v1/files//../../secret.txt",
            "/api/v1/files/./../../secret.txt",
            "/api/v1/files/team/b/secret.txt",
            "/api/v1/files/%2fteam%2fb%2fsecret.txt",
            "/api/v1/files/;/../../secret.txt",
            "/api/v1/files/..;/..;/secret.txt",
            "/api/v1/files/x/..%252f..%252fsecret.txt",
            "/api/v1/xattrs/../../secret.txt",
            "/api/v1/xattrs/%2e%2e/%2e%2e/secret.txt",
            "/dav/../secret.txt",
            "/dav/../../secret.txt",
            "/dav/%2e%2e/%2e%2e/secret.txt",
            "/dav/..%2f..%2fsecret.txt",
            "/dav/%252e%252e/secret.txt",
            "/dav/team/b/secret.txt",
            "/dav/%c0%ae%c0%ae/secret.txt",
            "/dav/..;/secret.txt",
            "/dav%2f..%2fapi/v1/files/secret.txt",
            "/api/v1/files/%2e%2e%2fteam%2fb%2fsecret.txt",
            "http://127.0.0.1/api/v1/files/../../secret.txt");

    /** Tricks that decode to plain names (no step up): 404 inside the view, 409 for a PUT without a parent. */
    static final Set<String> NAMES_INSIDE = Set.of(
            "/api/v1/files/%EF%BC%8E%EF%BC%8E/%EF%BC%8E%EF%BC%8E/secret.txt",
            "/api/v1/files/.../secret.txt",
            "/api/v1/files/team/b/secret.txt",
            "/dav/team/b/secret.txt");

    @Test
    void noPathTrickReadsOrChangesAnythingOutside() throws Exception {
        for (String target : TRICKS) {
            for (String method : List.of("GET", "PROPFIND", "DELETE", "PUT")) {
                if (method.equals("PROPFIND") && !target.contains("/dav")) {
                    continue;
                }
                RawHttpConnection.Response r = raw(method, target, "Depth", "0");
                if (NAMES_INSIDE.contains(target)) {
                    // a name, not a step up: taken inside the view, where it does not exist
                    assertThat(r.status()).as(method + " " + target).isEqualTo(method.equals("PUT") ? 409 : 404);
                } else {
                    assertThat(r.status()).as(method + " " + target).isEqualTo(400);
                }
                assertThat(r.text()).as(method + " " + target).doesNotContain(SECRET).doesNotContain("/team/a");
            }
        }
        nothingOutsideChanged();
    }

    @Test
    void noDestinationLeadsOutside() throws Exception {
        assertThat(send("carol", "PUT", "/dav/src.txt", "mine").statusCode()).isIn(201, 204);
        String host = "http://127.0.0.1:" + port;
        List<String> destinations = List.of(
                host + "/dav/../secret.txt",
                host + "/dav/../../secret.txt",
                host + "/dav/%2e%2e/%2e%2e/secret.txt",
                host + "/dav/..%2f..%2fsecret.txt",
                host + "/dav/%252e%252e/%252e%252e/secret.txt",
                host + "/api/v1/files/secret.txt",
                "/api/v1/files/secret.txt",
                "/secret.txt",
                "http://other.example/dav/secret.txt",
                "http://127.0.0.2:" + port + "/dav/secret.txt",
                "https://127.0.0.1:" + port + "/dav/../secret.txt",
                "file:///dav/secret.txt",
                "//127.0.0.1:" + port + "/dav/../secret.txt",
                host + "/dav/%c0%ae%c0%ae/secret.txt",
                host + "/dav/../team/b/secret.txt",
                host + "/dav%2f..%2fsecret.txt");
        for (String method : List.of("COPY", "MOVE")) {
            for (String d : destinations) {
                RawHttpConnection.Response r = raw(method, "/dav/src.txt", "Destination", d, "Overwrite", "T");
                int expected = d.contains("%252e") ? 409 // a name "%2e%2e" (decoded once), whose parent is missing
                        : d.contains("/dav/") && (d.contains("..") || d.contains("%2e") || d.contains("%c0")) ? 400
                        : 502; // another host or scheme, or outside /dav/
                assertThat(r.status()).as(method + " -> " + d).isEqualTo(expected);
            }
        }
        // a Destination that names a path like another user's lands inside the view
        assertThat(send("carol", "COPY", "/dav/src.txt", null, "Destination", host + "/dav/team/b/secret.txt")
                .statusCode()).as("no /team/a/team/b to copy into").isEqualTo(409);
        for (String to : List.of("/../secret.txt", "../secret.txt", "/%2e%2e/secret.txt", "/./secret.txt", "")) {
            RawHttpConnection.Response r = raw("POST", "/api/v1/files/src.txt?action=copy&to="
                    + java.net.URLEncoder.encode(to, StandardCharsets.UTF_8));
            assertThat(r.status()).as("to=" + to).isIn(400, 404, 409);
        }
        HttpResponse<String> inside = send("carol", "POST", "/api/v1/files/src.txt?action=copy&to=/secret.txt", null);
        assertThat(inside.statusCode()).as("a target named like a file outside lands inside").isEqualTo(201);
        assertThat(Files.readString(export.resolve("team/a/secret.txt"))).isEqualTo("mine");
        nothingOutsideChanged();
    }

    @Test
    void aSymlinkOnTheNodeDoesNotLeadOutside() throws Exception {
        assertThat(send("carol", "GET", "/api/v1/files/", null).statusCode()).isEqualTo(200);
        Path link = export.resolve("team/a/link");
        Files.createSymbolicLink(link, export.resolve("team/b"));
        try {
            for (String target : List.of("/api/v1/files/link/secret.txt", "/dav/link/secret.txt")) {
                RawHttpConnection.Response r = raw("GET", target);
                assertThat(r.text()).as(target).doesNotContain(SECRET);
                assertThat(r.status()).as(target).isNotEqualTo(200);
            }
            assertThat(raw("PUT", "/api/v1/files/link/secret.txt").status()).isNotIn(200, 201, 204);
            assertThat(raw("DELETE", "/api/v1/files/link/secret.txt").status()).isNotIn(200, 204);
        } finally {
            Files.deleteIfExists(link);
        }
        nothingOutsideChanged();
    }
}
