package org.pohmelfs.gateway.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.pohmelfs.gateway.rest.GatewayTestSupport;
import org.pohmelfs.gateway.security.cli.UserTool;
import org.pohmelfs.gateway.testing.LocalNodes;
import org.slf4j.LoggerFactory;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Users from a shared users file and bearer tokens, end to end: two real gateways (in this JVM,
 * on free loopback ports) in front of a real node, the file changed by the real command line
 * ({@link UserTool}), requests from real HTTP clients bound to 127.0.0.1 and 127.0.0.2.
 */
class UsersAndTokensTest {
    static LocalNodes nodes;
    static ConfigurableApplicationContext gw1;
    static ConfigurableApplicationContext gw2;
    static Path usersFile;
    static final ListAppender<ILoggingEvent> refusals = new ListAppender<>();
    static final HttpClient http = HttpClient.newHttpClient();
    static HttpClient fromSecondAddress;

    @BeforeAll
    static void start() throws Exception {
        Path dir = Files.createTempDirectory("users-test");
        usersFile = dir.resolve("users.json");
        tool("pw-admin\n", "user", "add", "--file", usersFile.toString(), "root", "--admin", "--password-stdin");
        tool("pw-alice\n", "user", "add", "--file", usersFile.toString(), "alice", "--password-stdin");
        tool("pw-reader\n", "user", "add", "--file", usersFile.toString(), "reader", "--read-only", "--password-stdin");
        tool("pw-carol\n", "user", "add", "--file", usersFile.toString(), "carol", "--password-stdin");
        nodes = LocalNodes.start(dir, 1);
        String[] args = {"--pohmelfs.gateway.auth.enabled=true",
            "--pohmelfs.gateway.auth.users-file=" + usersFile,
            "--pohmelfs.gateway.auth.reload-interval=100ms",
            "--pohmelfs.gateway.auth.throttle.address-failures=1000",
            // a configured user with an Argon2id hash beside the file's users
            "--pohmelfs.gateway.auth.users[0].name=ops",
            "--pohmelfs.gateway.auth.users[0].password=" + Passwords.hash("pw-ops")};
        gw1 = GatewayTestSupport.startGateway("gw-users-1", nodes.addresses(), args);
        gw2 = GatewayTestSupport.startGateway("gw-users-2", nodes.addresses(), args);
        // after the gateways start: Spring Boot's logging setup drops appenders added before
        // (and the tests' logback-test.xml keeps the root at WARN; refusals are INFO)
        refusals.start();
        Logger log = (Logger) LoggerFactory.getLogger(RefusalLog.LOGGER);
        log.setLevel(Level.INFO);
        log.addAppender(refusals);
        fromSecondAddress = HttpClient.newBuilder().localAddress(InetAddress.getByName("127.0.0.2")).build();
    }

    @AfterAll
    static void stop() {
        Logger log = (Logger) LoggerFactory.getLogger(RefusalLog.LOGGER);
        log.detachAppender(refusals);
        log.setLevel(null);
        gw1.close();
        gw2.close();
        nodes.close();
    }

    static String tool(String stdin, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = UserTool.run(args, Map.of(), new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)),
                null, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8),
                Clock.systemUTC(), new SecureRandom());
        assertThat(status).as("%s: %s", List.of(args), err).isZero();
        return out.toString(StandardCharsets.UTF_8).strip();
    }

    static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    static HttpResponse<String> send(HttpClient client, ConfigurableApplicationContext gw, String method, String path,
                                     String authorization) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(GatewayTestSupport.baseUrl(gw) + path))
                .method(method, method.equals("PROPFIND") ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString("data"));
        if (method.equals("PROPFIND")) {
            b.header("Depth", "0");
        }
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    static int status(ConfigurableApplicationContext gw, String method, String path, String authorization)
            throws Exception {
        return send(http, gw, method, path, authorization).statusCode();
    }

    static List<String> refusalLines() {
        synchronized (refusals.list) {
            return new ArrayList<>(refusals.list.stream().map(ILoggingEvent::getFormattedMessage).toList());
        }
    }

    @Test
    void usersOfTheFileComeAndGoWithoutARestart() throws Exception {
        String dave = basic("dave", "pw-dave");
        assertThat(status(gw1, "GET", "/api/v1/files/", dave)).isEqualTo(401);
        tool("pw-dave\n", "user", "add", "--file", usersFile.toString(), "dave", "--password-stdin");
        await().atMost(Duration.ofSeconds(10)).until(() -> status(gw1, "GET", "/api/v1/files/", dave) == 200);
        assertThat(status(gw1, "PUT", "/api/v1/files/dave.txt", dave)).isEqualTo(201);

        tool("", "user", "set", "--file", usersFile.toString(), "dave", "--read-only");
        await().atMost(Duration.ofSeconds(10)).until(() -> status(gw1, "PUT", "/api/v1/files/dave.txt", dave) == 403);
        assertThat(status(gw1, "GET", "/api/v1/files/dave.txt", dave)).isEqualTo(200);

        // a broken file keeps the last good one
        String good = Files.readString(usersFile);
        long brokenBefore = refusalLines().stream().filter(l -> l.contains("is broken, keeping the last good one")).count();
        Files.writeString(usersFile, "{\"users\": [");
        await().atMost(Duration.ofSeconds(10)).until(() -> refusalLines().stream()
                .filter(l -> l.contains("is broken, keeping the last good one")).count() >= brokenBefore + 2);
        assertThat(status(gw1, "GET", "/api/v1/files/dave.txt", dave)).isEqualTo(200);
        Files.writeString(usersFile, good);

        tool("", "user", "set", "--file", usersFile.toString(), "dave", "--disable");
        await().atMost(Duration.ofSeconds(10)).until(() -> status(gw1, "GET", "/api/v1/files/", dave) == 401);
        tool("", "user", "remove", "--file", usersFile.toString(), "dave");
        await().atMost(Duration.ofSeconds(10)).until(() -> status(gw1, "GET", "/api/v1/files/", dave) == 401);
        assertThat(refusalLines()).anyMatch(l -> l.contains("user=dave method=PUT") && l.contains("reason=\"read-only user\""))
                .anyMatch(l -> l.contains("refused 401") && l.contains("user=dave") && l.contains("reason=\"unknown user\""))
                .anyMatch(l -> l.contains("refused 401") && l.contains("user=dave") && l.contains("reason=\"disabled user\""));
    }

    @Test
    void configuredUsersWithArgon2idHashesLogIn() throws Exception {
        assertThat(status(gw1, "PUT", "/api/v1/files/ops.txt", basic("ops", "pw-ops"))).isEqualTo(201);
        assertThat(status(gw1, "GET", "/api/v1/files/ops.txt", basic("ops", "wrong"))).isEqualTo(401);
        assertThat(refusalLines()).anyMatch(l -> l.contains("user=ops") && l.contains("reason=\"bad password\""));
    }

    @Test
    void aBearerTokenActsAsItsUserOnRestAndWebDav() throws Exception {
        String token = tool("", "token", "create", "--file", usersFile.toString(), "--user", "alice", "--name", "ci");
        String bearer = "Bearer " + token;
        await().atMost(Duration.ofSeconds(10)).until(() -> status(gw2, "GET", "/api/v1/files/", bearer) == 200);
        assertThat(status(gw2, "PUT", "/api/v1/files/token.txt", bearer)).isEqualTo(201);
        assertThat(send(http, gw2, "GET", "/api/v1/files/token.txt", bearer).body()).isEqualTo("data");
        assertThat(status(gw2, "PROPFIND", "/dav/token.txt", bearer)).isEqualTo(207);
        assertThat(status(gw2, "PUT", "/dav/token-dav.txt", bearer)).isIn(200, 201, 204);

        String readerToken = "Bearer " + tool("", "token", "create", "--file", usersFile.toString(), "--user", "reader");
        await().atMost(Duration.ofSeconds(10)).until(() -> status(gw2, "GET", "/api/v1/files/", readerToken) == 200);
        assertThat(status(gw2, "PUT", "/api/v1/files/reader.txt", readerToken)).as("read-only user").isEqualTo(403);
        assertThat(status(gw2, "GET", "/admin/v1/map", bearer)).as("not an admin").isEqualTo(403);

        String rootToken = "Bearer " + tool("", "token", "create", "--file", usersFile.toString(), "--user", "root");
        await().atMost(Duration.ofSeconds(10)).until(() -> status(gw2, "GET", "/admin/v1/map", rootToken) == 200);
        // The admin command line with the token instead of a password.
        var adminOut = new ByteArrayOutputStream();
        int adminStatus = org.pohmelfs.gateway.admin.cli.AdminTool.run(new String[] {"--url",
                GatewayTestSupport.baseUrl(gw2), "--token", rootToken.substring("Bearer ".length()), "map"},
                Map.of("POHMELFS_ADMIN_PASSWORD", "wrong"), new PrintStream(adminOut, true), System.err);
        assertThat(adminStatus).as(adminOut.toString()).isZero();
        assertThat(adminOut.toString()).contains("\"epoch\"");

        HttpResponse<String> unknown = send(http, gw2, "GET", "/api/v1/files/",
                "Bearer pohm_0123456789abcdef_" + "A".repeat(43));
        assertThat(unknown.statusCode()).isEqualTo(401);
        assertThat(unknown.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(
                h -> assertThat(h).startsWith("Bearer ").contains("error=\"invalid_token\"")
                        .contains("error_description=\"unknown token\""));
        // the secret half of a real token with another id is no token either
        String forged = "Bearer pohm_0123456789abcdef_" + token.substring(token.lastIndexOf('_') + 1);
        assertThat(status(gw2, "GET", "/api/v1/files/", forged)).isEqualTo(401);
        assertThat(refusalLines()).anyMatch(l -> l.contains("reason=\"not an admin\"") && l.contains("user=alice"))
                .anyMatch(l -> l.contains("reason=\"unknown token\""))
                .noneMatch(l -> l.contains(token.substring(token.lastIndexOf('_') + 1)));
    }

    @Test
    void expiredTokensAreRefused() throws Exception {
        Tokens.Issued issued = Tokens.issue(new SecureRandom());
        Instant now = Instant.now();
        UsersFile.update(usersFile, f -> f.withToken(new UsersFile.Token(issued.id(), "alice", "old", issued.sha256(),
                now.minus(Duration.ofDays(2)), now.minus(Duration.ofDays(1)), false)));
        String bearer = "Bearer " + issued.token();
        await().atMost(Duration.ofSeconds(10)).until(() -> send(http, gw1, "GET", "/api/v1/files/", bearer).headers().firstValue("WWW-Authenticate")
                        .orElse("").contains("token expired"));
        HttpResponse<String> r = send(http, gw1, "GET", "/api/v1/files/", bearer);
        assertThat(r.statusCode()).isEqualTo(401);
        assertThat(r.headers().firstValue("WWW-Authenticate")).hasValue(
                "Bearer realm=\"POHMELFS\", error=\"invalid_token\", error_description=\"token expired\"");
        assertThat(refusalLines()).anyMatch(l -> l.contains("user=alice") && l.contains("reason=\"token expired\""));
        for (int i = 0; i < 6; i++) {
            assertThat(status(gw1, "GET", "/api/v1/files/", bearer)).isEqualTo(401);
        }
        assertThat(status(gw1, "GET", "/api/v1/files/", basic("alice", "pw-alice")))
                .as("a script's stale token does not lock its user out").isEqualTo(200);
    }

    @Test
    void aTokenRevokedThroughTheCommandLineIsRefusedByEveryGateway() throws Exception {
        String token = tool("", "token", "create", "--file", usersFile.toString(), "--user", "alice");
        String bearer = "Bearer " + token;
        await().atMost(Duration.ofSeconds(10)).until(() -> status(gw1, "GET", "/api/v1/files/", bearer) == 200
                && status(gw2, "GET", "/api/v1/files/", bearer) == 200);
        tool("", "token", "revoke", "--file", usersFile.toString(), Tokens.parse(token).orElseThrow().id());
        for (ConfigurableApplicationContext gw : List.of(gw1, gw2)) {
            await().atMost(Duration.ofSeconds(10)).until(() -> status(gw, "GET", "/api/v1/files/", bearer) == 401);
            assertThat(send(http, gw, "PROPFIND", "/dav/", bearer).headers().firstValue("WWW-Authenticate"))
                    .hasValueSatisfying(h -> assertThat(h).contains("error_description=\"token revoked\""));
        }
        assertThat(refusalLines()).anyMatch(l -> l.contains("method=PROPFIND") && l.contains("reason=\"token revoked\""));
    }

    @Test
    void failedLoginsAreThrottledPerAddressAndUser() throws Exception {
        String wrong = basic("carol", "wrong");
        String right = basic("carol", "pw-carol");
        assertThat(send(fromSecondAddress, gw1, "GET", "/api/v1/files/", right).statusCode()).isEqualTo(200);
        for (int i = 0; i < 5; i++) {
            assertThat(status(gw1, "GET", "/api/v1/files/", wrong)).isEqualTo(401);
        }
        HttpResponse<String> throttled = send(http, gw1, "GET", "/api/v1/files/", right);
        assertThat(throttled.statusCode()).as("even the right password, from that address").isEqualTo(429);
        assertThat(throttled.headers().firstValue("Retry-After").map(Long::parseLong)).hasValueSatisfying(
                s -> assertThat(s).isBetween(1L, 60L));
        assertThat(send(fromSecondAddress, gw1, "GET", "/api/v1/files/", right).statusCode())
                .as("carol from 127.0.0.2").isEqualTo(200);
        assertThat(status(gw1, "GET", "/api/v1/files/", basic("alice", "pw-alice"))).as("alice from 127.0.0.1")
                .isEqualTo(200);
        assertThat(status(gw2, "GET", "/api/v1/files/", right)).as("counters are per gateway").isEqualTo(200);
        assertThat(refusalLines()).anyMatch(l -> l.startsWith("refused 429 client=127.0.0.1 user=carol method=GET "
                + "path=/api/v1/files/ reason=\"throttled\""));
    }

    @Test
    void refusalsWithoutCredentialsAreLoggedAndNoSecretIs() throws Exception {
        assertThat(status(gw1, "PROPFIND", "/dav/", null)).isEqualTo(401);
        assertThat(status(gw1, "GET", "/admin/v1/map", null)).isEqualTo(401);
        assertThat(refusalLines()).anyMatch(l -> l.contains("method=PROPFIND path=/dav/ reason=\"no credentials\""))
                .anyMatch(l -> l.contains("path=/admin/v1/map reason=\"no credentials\""))
                .noneMatch(l -> l.contains("pw-") || l.contains("wrong"));
    }
}
