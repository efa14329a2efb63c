package org.pohmelfs.gateway.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.pohmelfs.gateway.rest.GatewayTestSupport;
import org.pohmelfs.gateway.testing.LocalNodes;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.security.crypto.bcrypt.BCryptPasswordEncoder;
import org.springframework.web.reactive.result.method.RequestMappingInfo;
import org.springframework.web.reactive.result.method.annotation.RequestMappingHandlerMapping;

/**
 * Every WebDAV method and every REST and admin endpoint, against every kind of caller that must
 * be turned away: no credentials and a wrong password (401), a read-only user on a change
 * (403), a user without the admin role on the admin API (403), a user confined to
 * {@code /team/a} naming another's file (404 or 409: the path is taken inside the view, where
 * it does not exist; existence outside is never told). The REST and admin rows must cover
 * every mapping of the application, so a new endpoint cannot be forgotten. Afterwards the
 * node's files are exactly as before; then each row by a user allowed to make it gets neither
 * 401 nor 403 (the rows are real requests, not typos that fail for another reason).
 */
class AccessTableTest {
    static LocalNodes nodes;
    static ConfigurableApplicationContext gw;
    static Path export;
    static final HttpClient http = HttpClient.newHttpClient();
    static final String LOCKINFO = "<?xml version=\"1.0\"?><D:lockinfo xmlns:D=\"DAV:\"><D:lockscope><D:exclusive/>"
            + "</D:lockscope><D:locktype><D:write/></D:locktype></D:lockinfo>";
    static final String PROPPATCH = "<?xml version=\"1.0\"?><D:propertyupdate xmlns:D=\"DAV:\" xmlns:Z=\"urn:z\">"
            + "<D:set><D:prop><Z:k>v</Z:k></D:prop></D:set></D:propertyupdate>";

    /**
     * One request: {@code {p}} in the target is the file path it acts on.
     *
     * @param mapping the REST mapping it covers ("METHOD pattern"), or null for WebDAV
     */
    record Row(String mapping, String method, String target, String body, boolean changes, boolean admin,
               boolean pathBearing, String... headers) {
        String url(String path) {
            return target.replace("{p}", path);
        }

        @Override
        public String toString() {
            return method + " " + target;
        }
    }

    static final List<Row> ROWS = List.of(
            new Row("GET /api/v1/files/**", "GET", "/api/v1/files{p}", null, false, false, true),
            new Row("HEAD /api/v1/files/**", "HEAD", "/api/v1/files{p}", null, false, false, true),
            new Row("PUT /api/v1/files/**", "PUT", "/api/v1/files{p}", "evil", true, false, true),
            new Row("PATCH /api/v1/files/**", "PATCH", "/api/v1/files{p}", "evil", true, false, true,
                    "Content-Range", "bytes 0-3/*"),
            new Row("DELETE /api/v1/files/**", "DELETE", "/api/v1/files{p}", null, true, false, true),
            new Row("POST /api/v1/files/**", "POST", "/api/v1/files{p}?action=move&to=/moved.txt", null, true, false,
                    true),
            new Row("GET /api/v1/xattrs/**", "GET", "/api/v1/xattrs{p}", null, false, false, true),
            new Row("PUT /api/v1/xattrs/**", "PUT", "/api/v1/xattrs{p}?name=user.evil", "v", true, false, true),
            new Row("DELETE /api/v1/xattrs/**", "DELETE", "/api/v1/xattrs{p}?name=user.k", null, true, false, true),
            new Row("GET /api/v1/usage", "GET", "/api/v1/usage", null, false, false, false),
            new Row("GET /admin/v1/nodes", "GET", "/admin/v1/nodes", null, false, true, false),
            new Row("GET /admin/v1/nodes/{id}", "GET", "/admin/v1/nodes/n1", null, false, true, false),
            new Row("POST /admin/v1/nodes", "POST", "/admin/v1/nodes", "{\"id\":\"n9\",\"address\":\"127.0.0.1:1\"}",
                    true, true, false, "Content-Type", "application/json"),
            new Row("DELETE /admin/v1/nodes/{id}", "DELETE", "/admin/v1/nodes/n9", null, true, true, false),
            new Row("GET /admin/v1/map", "GET", "/admin/v1/map", null, false, true, false),
            new Row(null, "OPTIONS", "/dav{p}", null, false, false, true),
            new Row(null, "GET", "/dav{p}", null, false, false, true),
            new Row(null, "HEAD", "/dav{p}", null, false, false, true),
            new Row(null, "PUT", "/dav{p}", "evil", true, false, true),
            new Row(null, "DELETE", "/dav{p}", null, true, false, true),
            new Row(null, "MKCOL", "/dav{p}.d/", null, true, false, true),
            new Row(null, "COPY", "/dav{p}", null, true, false, true, "Destination", "/dav/copied.txt"),
            new Row(null, "MOVE", "/dav{p}", null, true, false, true, "Destination", "/dav/moved.txt"),
            new Row(null, "PROPFIND", "/dav{p}", null, false, false, true, "Depth", "0"),
            new Row(null, "PROPPATCH", "/dav{p}", PROPPATCH, true, false, true),
            new Row(null, "LOCK", "/dav{p}", LOCKINFO, true, false, true, "Depth", "0"),
            new Row(null, "UNLOCK", "/dav{p}", null, true, false, true, "Lock-Token", "<opaquelocktoken:nope>"));

    /** The WebDAV methods the gateway serves (RFC 4918 class 1 and 2). */
    static final Set<String> DAV_METHODS = Set.of("OPTIONS", "GET", "HEAD", "PUT", "DELETE", "MKCOL", "COPY", "MOVE",
            "PROPFIND", "PROPPATCH", "LOCK", "UNLOCK");

    @BeforeAll
    static void start() throws Exception {
        nodes = LocalNodes.start(Files.createTempDirectory("access-table-test"), 1);
        export = nodes.get(0).export();
        String hash = "{bcrypt}" + new BCryptPasswordEncoder(4).encode("pw");
        gw = GatewayTestSupport.startGateway("gw-table", nodes.addresses(),
                "--pohmelfs.gateway.auth.enabled=true",
                // The table sends hundreds of wrong passwords on purpose: each must get its 401,
                // not the failed-login throttle's 429 (UsersAndTokensTest tests the throttle).
                "--pohmelfs.gateway.auth.throttle.pair-failures=100000",
                "--pohmelfs.gateway.auth.throttle.user-failures=100000",
                "--pohmelfs.gateway.auth.throttle.address-failures=100000",
                "--pohmelfs.gateway.auth.users[0].name=admin",
                "--pohmelfs.gateway.auth.users[0].password=" + hash,
                "--pohmelfs.gateway.auth.users[0].admin=true",
                "--pohmelfs.gateway.auth.users[1].name=writer",
                "--pohmelfs.gateway.auth.users[1].password=" + hash,
                "--pohmelfs.gateway.auth.users[2].name=reader",
                "--pohmelfs.gateway.auth.users[2].password=" + hash,
                "--pohmelfs.gateway.auth.users[2].read-only=true",
                "--pohmelfs.gateway.auth.users[3].name=carol",
                "--pohmelfs.gateway.auth.users[3].password=" + hash,
                "--pohmelfs.gateway.auth.users[3].root=/team/a");
        assertThat(send("writer", "pw", "PUT", "/api/v1/files/secret.txt", "secret").statusCode()).isEqualTo(201);
        assertThat(send("writer", "pw", "PUT", "/api/v1/xattrs/secret.txt?name=user.k", "v").statusCode())
                .isEqualTo(204);
        assertThat(send("writer", "pw", "PUT", "/api/v1/files/team/b/secret.txt?parents=true", "theirs")
                .statusCode()).isEqualTo(201);
        assertThat(send("writer", "pw", "PUT", "/api/v1/xattrs/team/b/secret.txt?name=user.k", "v").statusCode())
                .isEqualTo(204);
        assertThat(send("carol", "pw", "PUT", "/api/v1/files/mine.txt", "mine").statusCode()).isEqualTo(201);
    }

    @AfterAll
    static void stop() {
        gw.close();
        nodes.close();
    }

    static HttpResponse<String> send(String user, String password, String method, String path, String body,
                                     String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(GatewayTestSupport.baseUrl(gw) + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        if (user != null) {
            b.header("Authorization", "Basic " + Base64.getEncoder()
                    .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8)));
        }
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    static HttpResponse<String> send(String user, String password, Row row, String path) throws Exception {
        return send(user, password, row.method(), row.url(path), row.body(), row.headers());
    }

    /** Every regular file and directory of the export with a digest of its content (the node's own files aside). */
    static Map<String, String> snapshot() throws Exception {
        Map<String, String> all = new TreeMap<>();
        try (Stream<Path> paths = Files.walk(export)) {
            for (Path p : paths.toList()) {
                String rel = export.relativize(p).toString();
                if (rel.startsWith(".pohmelfs")) {
                    continue;
                }
                all.put(rel, Files.isRegularFile(p) ? HexFormat.of().formatHex(
                        MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(p))) : "dir");
            }
        }
        return all;
    }

    @Test
    void theTableCoversEveryEndpointAndEveryWebDavMethod() {
        RequestMappingHandlerMapping mapping = gw.getBean("requestMappingHandlerMapping",
                RequestMappingHandlerMapping.class);
        Set<String> mapped = new TreeSet<>();
        for (RequestMappingInfo info : mapping.getHandlerMethods().keySet()) {
            for (var pattern : info.getPatternsCondition().getPatterns()) {
                String p = pattern.getPatternString();
                if (!p.startsWith("/api/") && !p.startsWith("/admin/")) {
                    continue; // the OpenAPI document and the like: open by design, outside the file and admin APIs
                }
                for (var m : info.getMethodsCondition().getMethods()) {
                    mapped.add(m.name() + " " + p);
                }
            }
        }
        Set<String> tabled = new TreeSet<>();
        ROWS.stream().map(Row::mapping).filter(java.util.Objects::nonNull).forEach(tabled::add);
        assertThat(tabled).as("every REST and admin mapping has a row").isEqualTo(mapped);
        Set<String> dav = new TreeSet<>();
        ROWS.stream().filter(r -> r.mapping() == null).map(Row::method).forEach(dav::add);
        assertThat(dav).isEqualTo(new TreeSet<>(DAV_METHODS));
    }

    @Test
    void everyoneWhoMustBeTurnedAwayIs() throws Exception {
        Map<String, String> before = snapshot();
        List<String> wrong = new ArrayList<>();
        for (Row row : ROWS) {
            check(wrong, row, "no credentials", send(null, null, row, "/secret.txt").statusCode(), Set.of(401));
            check(wrong, row, "wrong password", send("writer", "nope", row, "/secret.txt").statusCode(), Set.of(401));
            check(wrong, row, "unknown user", send("mallory", "pw", row, "/secret.txt").statusCode(), Set.of(401));
            if (row.changes() || row.admin()) {
                check(wrong, row, "read-only user", send("reader", "pw", row, "/secret.txt").statusCode(),
                        Set.of(403));
            }
            if (row.admin()) {
                check(wrong, row, "writer on admin", send("writer", "pw", row, "/secret.txt").statusCode(),
                        Set.of(403));
                check(wrong, row, "confined on admin", send("carol", "pw", row, "/secret.txt").statusCode(),
                        Set.of(403));
            }
            if (row.pathBearing()) {
                // /team/b/secret.txt exists, but carol's /team/b/secret.txt is /team/a/team/b/secret.txt
                HttpResponse<String> r = send("carol", "pw", row, "/team/b/secret.txt");
                Set<Integer> expected = row.method().equals("OPTIONS") ? Set.of(200, 404) : Set.of(404, 409);
                check(wrong, row, "confined user naming another's file", r.statusCode(), expected);
                if (r.body().contains("theirs") || r.body().contains("/team/a")) {
                    wrong.add(row + " as carol: the body tells " + r.body());
                }
            }
        }
        assertThat(wrong).isEmpty();
        assertThat(snapshot()).as("no refused request changed a file").isEqualTo(before);
    }

    private static void check(List<String> wrong, Row row, String who, int status, Set<Integer> expected) {
        if (!expected.contains(status)) {
            wrong.add(row + " as " + who + ": " + status + ", expected " + expected);
        }
    }

    @Test
    void whoMayMakeARequestIsLetThrough() throws Exception {
        for (Row row : ROWS) {
            String user = row.admin() ? "admin" : "writer";
            int status = send(user, "pw", row, "/ok-" + row.method().toLowerCase() + ".txt").statusCode();
            assertThat(status).as(row + " as " + user).isNotIn(401, 403);
            if (!row.changes() && !row.admin()) {
                assertThat(send("reader", "pw", row, "/secret.txt").statusCode()).as(row + " as reader")
                        .isNotIn(401, 403);
            }
        }
    }
}
