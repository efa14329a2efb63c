package org.pohmelfs.gateway.rest;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.pohmelfs.gateway.testing.LocalNodes;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.security.crypto.bcrypt.BCryptPasswordEncoder;

/** HTTP Basic authentication with hashed passwords, read-only users, and a read-only gateway. */
class AccessControlTest {
    static LocalNodes nodes;
    static ConfigurableApplicationContext secured;
    static ConfigurableApplicationContext readOnly;
    static final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void start() throws Exception {
        Path dir = Files.createTempDirectory("access-test");
        nodes = LocalNodes.start(dir, 1);
        String hash = "{bcrypt}" + new BCryptPasswordEncoder().encode("s3cret");
        secured = GatewayTestSupport.startGateway("gw-auth", nodes.addresses(),
                "--pohmelfs.gateway.auth.enabled=true",
                "--pohmelfs.gateway.auth.users[0].name=alice",
                "--pohmelfs.gateway.auth.users[0].password=" + hash,
                "--pohmelfs.gateway.auth.users[1].name=bob",
                "--pohmelfs.gateway.auth.users[1].password=" + hash,
                "--pohmelfs.gateway.auth.users[1].read-only=true");
        readOnly = GatewayTestSupport.startGateway("gw-ro", nodes.addresses(), "--pohmelfs.gateway.read-only=true");
    }

    @AfterAll
    static void stop() {
        secured.close();
        readOnly.close();
        nodes.close();
    }

    static int status(ConfigurableApplicationContext gw, String method, String path, String user, String password)
            throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(GatewayTestSupport.baseUrl(gw) + path))
                .method(method, HttpRequest.BodyPublishers.ofString("data"));
        if (user != null) {
            b.header("Authorization", "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes()));
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    @Test
    void anonymousAndWrongPasswordsGet401() throws Exception {
        assertThat(status(secured, "GET", "/api/v1/files/", null, null)).isEqualTo(401);
        assertThat(status(secured, "PUT", "/api/v1/files/x", null, null)).isEqualTo(401);
        assertThat(status(secured, "GET", "/api/v1/files/", "alice", "wrong")).isEqualTo(401);
        assertThat(status(secured, "GET", "/actuator/health", null, null)).as("probes stay open").isEqualTo(200);
    }

    @Test
    void aWriterMayWriteAndAReadOnlyUserMayOnlyRead() throws Exception {
        assertThat(status(secured, "PUT", "/api/v1/files/alice.txt", "alice", "s3cret")).isEqualTo(201);
        assertThat(status(secured, "GET", "/api/v1/files/alice.txt", "bob", "s3cret")).isEqualTo(200);
        assertThat(status(secured, "PUT", "/api/v1/files/bob.txt", "bob", "s3cret")).isEqualTo(403);
        assertThat(status(secured, "DELETE", "/api/v1/files/alice.txt", "bob", "s3cret")).isEqualTo(403);
        assertThat(status(secured, "GET", "/api/v1/files/bob.txt", "alice", "s3cret")).isEqualTo(404);
    }

    @Test
    void aReadOnlyGatewayRefusesEveryChange() throws Exception {
        assertThat(status(readOnly, "PUT", "/api/v1/files/ro.txt", null, null)).isEqualTo(403);
        assertThat(status(readOnly, "POST", "/api/v1/files/dir?action=mkdir", null, null)).isEqualTo(403);
        assertThat(status(readOnly, "DELETE", "/api/v1/files/alice.txt", null, null)).isEqualTo(403);
        assertThat(status(readOnly, "GET", "/api/v1/usage", null, null)).isEqualTo(200);
    }
}
