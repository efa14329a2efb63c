package org.pohmelfs.gateway.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.pohmelfs.gateway.rest.GatewayTestSupport;
import org.pohmelfs.gateway.testing.LocalNodes;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.security.crypto.bcrypt.BCryptPasswordEncoder;
import tools.jackson.databind.json.JsonMapper;

/**
 * Changes by two users through two gateways: exactly one audit line each, in the file of the
 * gateway that made it, with the right user, gateway, paths (real and as seen) and sizes;
 * reads and refused requests write nothing.
 */
class AuditLogTest {
    static final HttpClient http = HttpClient.newHttpClient();

    static String[] gateway(String id, Path audit, String hash) {
        return new String[] {
            "--pohmelfs.gateway.audit.file=" + audit,
            "--pohmelfs.gateway.auth.enabled=true",
            "--pohmelfs.gateway.auth.users[0].name=alice",
            "--pohmelfs.gateway.auth.users[0].password=" + hash,
            "--pohmelfs.gateway.auth.users[1].name=carol",
            "--pohmelfs.gateway.auth.users[1].password=" + hash,
            "--pohmelfs.gateway.auth.users[1].root=/team/a",
            "--pohmelfs.gateway.auth.users[2].name=bob",
            "--pohmelfs.gateway.auth.users[2].password=" + hash,
            "--pohmelfs.gateway.auth.users[2].read-only=true"};
    }

    static int send(ConfigurableApplicationContext gw, String user, String method, String path, String body,
                    String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(GatewayTestSupport.baseUrl(gw) + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body))
                .header("Authorization", "Basic " + Base64.getEncoder()
                        .encodeToString((user + ":pw").getBytes(StandardCharsets.UTF_8)));
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    @Test
    void oneLinePerChangeInTheFileOfTheGatewayThatMadeIt() throws Exception {
        Path dir = Files.createTempDirectory("audit-test");
        String hash = "{bcrypt}" + new BCryptPasswordEncoder(4).encode("pw");
        Path audit1 = dir.resolve("gw1-audit.jsonl");
        Path audit2 = dir.resolve("gw2-audit.jsonl");
        Instant before = Instant.now();
        try (LocalNodes nodes = LocalNodes.start(dir.resolve("nodes"), 1)) {
            ConfigurableApplicationContext gw1 = GatewayTestSupport.startGateway("gw-audit-1", nodes.addresses(),
                    gateway("gw-audit-1", audit1, hash));
            ConfigurableApplicationContext gw2 = GatewayTestSupport.startGateway("gw-audit-2", nodes.addresses(),
                    gateway("gw-audit-2", audit2, hash));
            String dav2 = GatewayTestSupport.baseUrl(gw2) + "/dav";
            try {
                // the changes: 5 through gw1, 4 through gw2
                assertThat(send(gw1, "alice", "PUT", "/api/v1/files/a.txt", "12345")).isEqualTo(201);
                assertThat(send(gw1, "carol", "PUT", "/dav/c.txt", "abc")).isEqualTo(201);
                assertThat(send(gw1, "carol", "MKCOL", "/dav/dir/", null)).isEqualTo(201);
                assertThat(send(gw1, "alice", "POST", "/api/v1/files/a.txt?action=move&to=/b.txt", null))
                        .isEqualTo(201);
                assertThat(send(gw1, "carol", "PUT", "/api/v1/xattrs/c.txt?name=user.k", "v")).isEqualTo(204);
                assertThat(send(gw2, "carol", "COPY", "/dav/c.txt", null, "Destination", dav2 + "/dir/d.txt"))
                        .isEqualTo(201);
                assertThat(send(gw2, "alice", "DELETE", "/api/v1/files/b.txt", null)).isEqualTo(204);
                assertThat(send(gw2, "carol", "POST", "/api/v1/files/c.txt?action=copy&to=/e.txt", null))
                        .isEqualTo(201);
                assertThat(send(gw2, "carol", "DELETE", "/dav/e.txt", null)).isEqualTo(204);
                // reads and refusals: no lines
                assertThat(send(gw1, "carol", "GET", "/api/v1/files/c.txt", null)).isEqualTo(200);
                assertThat(send(gw2, "alice", "PROPFIND", "/dav/", null, "Depth", "1")).isEqualTo(207);
                assertThat(send(gw1, "alice", "HEAD", "/api/v1/files/team", null)).isEqualTo(200);
                assertThat(send(gw1, "bob", "PUT", "/api/v1/files/bob.txt", "x")).isEqualTo(403);
                assertThat(send(gw2, "bob", "DELETE", "/dav/c.txt", null)).isEqualTo(403);
                assertThat(send(gw1, "carol", "DELETE", "/api/v1/files/nothing", null)).isEqualTo(404);
                assertThat(send(gw2, "alice", "PUT", "/api/v1/files/x", "x", "If-Match", "\"nope\"")).isEqualTo(412);
                assertThat(send(gw1, "nobody", "PUT", "/api/v1/files/n.txt", "x")).isEqualTo(401);
            } finally {
                gw1.close(); // drains the audit log's queue
                gw2.close();
            }
        }
        JsonMapper json = JsonMapper.builder().build();
        List<AuditEntry> one = read(json, audit1);
        List<AuditEntry> two = read(json, audit2);
        assertThat(one).extracting(AuditEntry::gateway).containsOnly("gw-audit-1");
        assertThat(two).extracting(AuditEntry::gateway).containsOnly("gw-audit-2");
        assertThat(one).extracting(e -> e.user() + " " + e.frontEnd() + " " + e.operation() + " " + e.path() + " "
                + e.viewPath() + " " + e.destination() + " " + e.viewDestination() + " " + e.status() + " " + e.bytes())
                .containsExactly(
                        "alice rest write /a.txt /a.txt null null 201 5",
                        "carol dav put /team/a/c.txt /c.txt null null 201 3",
                        "carol dav mkcol /team/a/dir /dir null null 201 0",
                        "alice rest move /a.txt /a.txt /b.txt /b.txt 201 0",
                        "carol rest set-xattr /team/a/c.txt /c.txt null null 204 1");
        assertThat(two).extracting(e -> e.user() + " " + e.frontEnd() + " " + e.operation() + " " + e.path() + " "
                + e.destination() + " " + e.viewDestination() + " " + e.status())
                .containsExactly(
                        "carol dav copy /team/a/c.txt /team/a/dir/d.txt /dir/d.txt 201",
                        "alice rest delete /b.txt null null 204",
                        "carol rest copy /team/a/c.txt /team/a/e.txt /e.txt 201",
                        "carol dav delete /team/a/e.txt null null 204");
        for (AuditEntry e : concat(one, two)) {
            assertThat(e.client()).isEqualTo("127.0.0.1");
            assertThat(Instant.parse(e.time())).isAfterOrEqualTo(before).isBeforeOrEqualTo(Instant.now());
        }
    }

    static List<AuditEntry> read(JsonMapper json, Path file) throws Exception {
        List<AuditEntry> entries = new ArrayList<>();
        for (String line : Files.readAllLines(file)) {
            entries.add(json.readValue(line, AuditEntry.class));
        }
        return entries;
    }

    static List<AuditEntry> concat(List<AuditEntry> a, List<AuditEntry> b) {
        List<AuditEntry> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }
}
