package org.pohmelfs.gateway.webdav;

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
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.pohmelfs.gateway.rest.GatewayTestSupport;
import org.pohmelfs.gateway.testing.LocalNodes;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.security.crypto.bcrypt.BCryptPasswordEncoder;

/**
 * WebDAV locks across two gateways over one node: the lock lives on the node, so a lock taken
 * through gateway A is enforced through gateway B, over WebDAV and REST alike, and survives a
 * restart of A. Tokens are bound to the user who took the lock.
 */
class DavLockingTest {
    static final String LOCKINFO = """
            <?xml version="1.0" encoding="utf-8"?>
            <D:lockinfo xmlns:D="DAV:"><D:lockscope><D:%s/></D:lockscope><D:locktype><D:write/></D:locktype>
            <D:owner><D:href>mailto:alice@example.org</D:href></D:owner></D:lockinfo>""";
    static final Pattern TOKEN = Pattern.compile("<(opaquelocktoken:[^>]+)>");

    static LocalNodes nodes;
    static String[] auth;
    static ConfigurableApplicationContext a;
    static ConfigurableApplicationContext b;
    static final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void start() throws Exception {
        nodes = LocalNodes.start(Files.createTempDirectory("dav-locks"), 1, java.time.Duration.ofSeconds(1)); // leases: runs through the cache
        String hash = "{bcrypt}" + new BCryptPasswordEncoder().encode("pw");
        auth = new String[] {"--pohmelfs.gateway.auth.enabled=true",
                "--pohmelfs.gateway.auth.users[0].name=alice", "--pohmelfs.gateway.auth.users[0].password=" + hash,
                "--pohmelfs.gateway.auth.users[1].name=carol", "--pohmelfs.gateway.auth.users[1].password=" + hash};
        a = GatewayTestSupport.startGateway("gw-a", nodes.addresses(), auth);
        b = GatewayTestSupport.startGateway("gw-b", nodes.addresses(), auth);
    }

    @AfterAll
    static void stop() {
        a.close();
        b.close();
        nodes.close();
    }

    static HttpResponse<String> send(ConfigurableApplicationContext gw, String user, String method, String path,
                                     String body, String... headers) throws Exception {
        HttpRequest.Builder r = HttpRequest.newBuilder(URI.create(GatewayTestSupport.baseUrl(gw) + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body))
                .header("Authorization", "Basic " + Base64.getEncoder()
                        .encodeToString((user + ":pw").getBytes(StandardCharsets.UTF_8)));
        for (int i = 0; i < headers.length; i += 2) {
            r.header(headers[i], headers[i + 1]);
        }
        return http.send(r.build(), HttpResponse.BodyHandlers.ofString());
    }

    static String lock(ConfigurableApplicationContext gw, String user, String path, String scope, String... headers)
            throws Exception {
        HttpResponse<String> r = send(gw, user, "LOCK", path, LOCKINFO.formatted(scope), headers);
        assertThat(r.statusCode()).as("LOCK %s: %s", path, r.body()).isIn(200, 201);
        Matcher m = TOKEN.matcher(r.headers().firstValue("Lock-Token").orElseThrow());
        assertThat(m.matches()).isTrue();
        assertThat(r.body()).contains(m.group(1)).contains("mailto:alice@example.org");
        return m.group(1);
    }

    static String ifHeader(String token) {
        return "(<" + token + ">)";
    }

    @Test
    void aLockTakenThroughAIsEnforcedThroughBOverWebDavAndRest() throws Exception {
        assertThat(send(a, "alice", "PUT", "/dav/doc.txt", "v1").statusCode()).isEqualTo(201);
        String token = lock(a, "alice", "/dav/doc.txt", "exclusive", "Depth", "0", "Timeout", "Second-600");

        assertThat(send(b, "carol", "PUT", "/dav/doc.txt", "carol").statusCode()).isEqualTo(423);
        assertThat(send(b, "carol", "DELETE", "/dav/doc.txt", null).statusCode()).isEqualTo(423);
        HttpResponse<String> move = send(b, "carol", "MOVE", "/dav/doc.txt", null,
                "Destination", GatewayTestSupport.baseUrl(b) + "/dav/moved.txt");
        assertThat(move.statusCode()).isEqualTo(423);
        assertThat(move.body()).contains("lock-token-submitted").contains("/dav/doc.txt");
        assertThat(send(b, "carol", "PUT", "/api/v1/files/doc.txt", "rest").statusCode()).isEqualTo(423);
        assertThat(send(b, "carol", "DELETE", "/api/v1/files/doc.txt", null).statusCode()).isEqualTo(423);
        assertThat(send(b, "carol", "POST", "/api/v1/files/doc.txt?action=move&to=/x.txt", null).statusCode())
                .isEqualTo(423);
        assertThat(send(b, "carol", "PUT", "/api/v1/xattrs/doc.txt?name=user.k", "v").statusCode()).isEqualTo(423);
        assertThat(send(b, "alice", "PUT", "/api/v1/files/doc.txt", "x", "If", "(<unterminated").statusCode())
                .isEqualTo(400);
        // the token alone is not enough: it is bound to alice
        assertThat(send(b, "carol", "PUT", "/dav/doc.txt", "stolen", "If", ifHeader(token)).statusCode())
                .isEqualTo(423);
        assertThat(send(b, "carol", "UNLOCK", "/dav/doc.txt", null, "Lock-Token", "<" + token + ">").statusCode())
                .isEqualTo(409);
        assertThat(send(b, "alice", "GET", "/dav/doc.txt", null).body()).isEqualTo("v1");

        // the owner, with the token, through the other gateway and through REST
        assertThat(send(b, "alice", "PUT", "/dav/doc.txt", "v2", "If", ifHeader(token)).statusCode()).isEqualTo(204);
        assertThat(send(b, "alice", "PUT", "/api/v1/files/doc.txt", "v3", "If", ifHeader(token)).statusCode())
                .isEqualTo(204);
        assertThat(send(b, "alice", "PUT", "/api/v1/xattrs/doc.txt?name=user.k", "v", "If", ifHeader(token))
                .statusCode()).isEqualTo(204);
        assertThat(send(a, "carol", "GET", "/dav/doc.txt", null).body()).isEqualTo("v3");

        assertThat(send(b, "alice", "UNLOCK", "/dav/doc.txt", null, "Lock-Token", "<" + token + ">").statusCode())
                .isEqualTo(204);
        assertThat(send(a, "carol", "PUT", "/dav/doc.txt", "free").statusCode()).isEqualTo(204);
    }

    @Test
    void aCollectionLockGuardsItsMembersAndTheLockIsDiscoverableEverywhere() throws Exception {
        assertThat(send(a, "alice", "MKCOL", "/dav/coll/", null).statusCode()).isEqualTo(201);
        assertThat(send(a, "alice", "PUT", "/dav/coll/in.txt", "in").statusCode()).isEqualTo(201);
        String token = lock(a, "alice", "/dav/coll/", "shared");

        assertThat(send(b, "carol", "PUT", "/dav/coll/new.txt", "x").statusCode()).isEqualTo(423);
        assertThat(send(b, "carol", "PUT", "/dav/coll/in.txt", "x").statusCode()).isEqualTo(423);
        assertThat(send(b, "carol", "DELETE", "/dav/coll/", null).statusCode()).isEqualTo(423);
        assertThat(send(b, "carol", "DELETE", "/api/v1/files/coll?recursive=true", null).statusCode()).isEqualTo(423);

        HttpResponse<String> props = send(b, "carol", "PROPFIND", "/dav/coll/in.txt",
                "<?xml version=\"1.0\"?><D:propfind xmlns:D=\"DAV:\"><D:prop><D:lockdiscovery/><D:supportedlock/>"
                        + "</D:prop></D:propfind>", "Depth", "0");
        assertThat(props.statusCode()).isEqualTo(207);
        assertThat(props.body()).contains(token).contains("mailto:alice@example.org").contains("/dav/coll")
                .containsPattern("shared").containsPattern("exclusive").doesNotContain(">404<");

        // a refresh through the other gateway, with a new timeout
        HttpResponse<String> refresh = send(b, "alice", "LOCK", "/dav/coll/", null,
                "If", ifHeader(token), "Timeout", "Second-120");
        assertThat(refresh.statusCode()).isEqualTo(200);
        assertThat(refresh.body()).contains("Second-120").contains(token);

        assertThat(send(b, "alice", "PUT", "/dav/coll/new.txt", "x", "If",
                "<" + GatewayTestSupport.baseUrl(b) + "/dav/coll/> " + ifHeader(token)).statusCode()).isEqualTo(201);
        assertThat(send(a, "alice", "UNLOCK", "/dav/coll/in.txt", null, "Lock-Token", "<" + token + ">")
                .statusCode()).as("UNLOCK of a member names the collection's lock").isEqualTo(204);
        assertThat(send(b, "carol", "DELETE", "/dav/coll/", null).statusCode()).isEqualTo(204);
    }

    @Test
    void deletingOrMovingATreeWithALockedMemberIsAMultistatusNamingTheMember() throws Exception {
        assertThat(send(a, "alice", "MKCOL", "/dav/tree/", null).statusCode()).isEqualTo(201);
        assertThat(send(a, "alice", "MKCOL", "/dav/tree/flat/", null).statusCode()).isEqualTo(201);
        assertThat(send(a, "alice", "PUT", "/dav/tree/leaf.txt", "leaf").statusCode()).isEqualTo(201);
        String token = lock(a, "alice", "/dav/tree/leaf.txt", "exclusive", "Depth", "0");
        lock(a, "alice", "/dav/tree/flat/", "exclusive", "Depth", "0");

        HttpResponse<String> delete = send(b, "carol", "DELETE", "/dav/tree/", null);
        assertThat(delete.statusCode()).isEqualTo(207);
        assertThat(delete.body()).contains("/dav/tree/leaf.txt").contains("/dav/tree/flat")
                .contains("423 Locked").contains("lock-token-submitted");
        HttpResponse<String> move = send(b, "carol", "MOVE", "/dav/tree/", null,
                "Destination", GatewayTestSupport.baseUrl(b) + "/dav/tree2/");
        assertThat(move.statusCode()).isEqualTo(207);
        // a new member of a depth-0 locked collection: 423 naming the collection
        HttpResponse<String> put = send(b, "carol", "PUT", "/dav/tree/flat/new.txt", "n");
        assertThat(put.statusCode()).isEqualTo(423);
        assertThat(put.body()).contains("lock-token-submitted").contains("/dav/tree/flat");
        assertThat(send(b, "alice", "GET", "/dav/tree/leaf.txt", null).body()).isEqualTo("leaf");
        // alice holds only one of the two tokens: the other member still stops the delete
        HttpResponse<String> partly = send(b, "alice", "DELETE", "/dav/tree/", null, "If",
                "<" + GatewayTestSupport.baseUrl(b) + "/dav/tree/leaf.txt> " + ifHeader(token));
        assertThat(partly.statusCode()).isEqualTo(207);
        assertThat(partly.body()).contains("/dav/tree/flat").doesNotContain("leaf.txt");
    }

    @Test
    void lockingAnUnmappedUrlCreatesAnEmptyResource() throws Exception {
        HttpResponse<String> r = send(a, "alice", "LOCK", "/dav/fresh.txt", LOCKINFO.formatted("exclusive"),
                "Timeout", "Infinite");
        assertThat(r.statusCode()).isEqualTo(201);
        assertThat(r.body()).as("Infinite is capped to the node's maximum").contains("Second-3600");
        HttpResponse<String> get = send(b, "carol", "GET", "/dav/fresh.txt", null);
        assertThat(get.statusCode()).isEqualTo(200);
        assertThat(get.body()).isEmpty();
        assertThat(send(a, "alice", "LOCK", "/dav/no-such-dir/x.txt", LOCKINFO.formatted("exclusive")).statusCode())
                .isEqualTo(409);
    }

    @Test
    void anExpiredLockIsNoLongerEnforced() throws Exception {
        assertThat(send(a, "alice", "PUT", "/dav/short.txt", "v1").statusCode()).isEqualTo(201);
        lock(a, "alice", "/dav/short.txt", "exclusive", "Timeout", "Second-1");
        // the node clock decides; poll until the second has passed (no timing is asserted)
        int status = Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                .until(() -> send(b, "carol", "PUT", "/dav/short.txt", "carol").statusCode(), s -> s != 423);
        assertThat(status).isEqualTo(204);
        assertThat(send(b, "carol", "PROPFIND", "/dav/short.txt", "<?xml version=\"1.0\"?><D:propfind xmlns:D=\"DAV:\">"
                + "<D:prop><D:lockdiscovery/></D:prop></D:propfind>", "Depth", "0").body()).doesNotContain("activelock");
    }

    @Test
    void hostileOrMalformedLockRequestsAre400AndTouchNothing() throws Exception {
        String xxe = "<?xml version=\"1.0\"?><!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]>"
                + "<D:lockinfo xmlns:D=\"DAV:\"><D:lockscope><D:exclusive/></D:lockscope><D:locktype><D:write/>"
                + "</D:locktype><D:owner>&e;</D:owner></D:lockinfo>";
        String bomb = "<?xml version=\"1.0\"?><!DOCTYPE l [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;&a;\">"
                + "<!ENTITY c \"&b;&b;&b;&b;&b;&b;&b;\">]><D:lockinfo xmlns:D=\"DAV:\"><D:owner>&c;</D:owner></D:lockinfo>";
        String[][] cases = {
                {xxe}, {bomb}, {"<D:lockinfo xmlns:D=\"DAV:\"><D:lockscope>"},
                {"<D:lockinfo xmlns:D=\"DAV:\"><D:locktype><D:write/></D:locktype></D:lockinfo>"},
                {"<D:propfind xmlns:D=\"DAV:\"/>"},
                {LOCKINFO.formatted("exclusive"), "Timeout", "Eventually"},
                {LOCKINFO.formatted("exclusive"), "Timeout", "Second-"},
                {LOCKINFO.formatted("exclusive"), "Depth", "1"},
                {LOCKINFO.formatted("exclusive"), "Depth", "2"},
                {LOCKINFO.formatted("exclusive"), "If", "(<unterminated"},
        };
        for (String[] c : cases) {
            String[] headers = java.util.Arrays.copyOfRange(c, 1, c.length);
            HttpResponse<String> r = send(a, "alice", "LOCK", "/dav/hostile.txt", c[0], headers);
            assertThat(r.statusCode()).as("LOCK with %s %s", c[0], String.join(" ", headers)).isEqualTo(400);
            assertThat(r.body()).doesNotContain("root:");
        }
        assertThat(send(b, "carol", "GET", "/dav/hostile.txt", null).statusCode()).isEqualTo(404);
        assertThat(send(b, "carol", "PUT", "/dav/hostile.txt", "free").statusCode()).isEqualTo(201);
        assertThat(send(b, "carol", "UNLOCK", "/dav/hostile.txt", null).statusCode()).isEqualTo(400);
        assertThat(send(b, "carol", "UNLOCK", "/dav/hostile.txt", null, "Lock-Token", "<opaquelocktoken:nope>")
                .statusCode()).isEqualTo(409);
    }

    @Test
    void aConflictingLockIs423AndAFalseIfHeaderIs412() throws Exception {
        assertThat(send(a, "alice", "PUT", "/dav/busy.txt", "b").statusCode()).isEqualTo(201);
        String token = lock(a, "alice", "/dav/busy.txt", "exclusive");
        HttpResponse<String> second = send(b, "carol", "LOCK", "/dav/busy.txt", LOCKINFO.formatted("shared"));
        assertThat(second.statusCode()).isEqualTo(423);
        assertThat(second.body()).contains("no-conflicting-lock");
        assertThat(send(b, "alice", "PUT", "/dav/busy.txt", "x", "If", "(<opaquelocktoken:other>)").statusCode())
                .isEqualTo(412);
        assertThat(send(b, "alice", "PUT", "/dav/busy.txt", "x", "If", "(<" + token + "> [\"wrong-etag\"])")
                .statusCode()).isEqualTo(412);
        String etag = send(b, "alice", "HEAD", "/dav/busy.txt", null).headers().firstValue("ETag").orElseThrow();
        assertThat(send(b, "alice", "PUT", "/dav/busy.txt", "x", "If", "(<" + token + "> [" + etag + "])")
                .statusCode()).isEqualTo(204);
    }

    @Test
    void locksSurviveAGatewayRestart() throws Exception {
        assertThat(send(a, "alice", "PUT", "/dav/durable.txt", "d").statusCode()).isEqualTo(201);
        String token = lock(a, "alice", "/dav/durable.txt", "exclusive");
        a.close();
        a = GatewayTestSupport.startGateway("gw-a", nodes.addresses(), auth);
        assertThat(send(a, "carol", "PUT", "/dav/durable.txt", "x").statusCode()).isEqualTo(423);
        assertThat(send(a, "alice", "PUT", "/dav/durable.txt", "x", "If", ifHeader(token)).statusCode())
                .isEqualTo(204);
    }

    @Test
    void optionsAdvertisesClass2() throws Exception {
        assertThat(send(a, "alice", "OPTIONS", "/dav/", null).headers().firstValue("DAV").orElse(""))
                .contains("2");
    }
}
