package org.pohmelfs.gateway.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Token texts, their stored hashes, and the users file's format. */
class TokensTest {
    @Test
    void anIssuedTokenParsesAndMatchesOnlyItsHash() {
        Tokens.Issued a = Tokens.issue(new SecureRandom());
        Tokens.Issued b = Tokens.issue(new SecureRandom());
        assertThat(a.token()).startsWith("pohm_" + a.id() + "_").hasSize(5 + 16 + 1 + 43);
        Tokens.Parsed parsed = Tokens.parse(a.token()).orElseThrow();
        assertThat(parsed.id()).isEqualTo(a.id());
        assertThat(Tokens.matches(parsed.secret(), a.sha256())).isTrue();
        assertThat(Tokens.matches(parsed.secret(), b.sha256())).isFalse();
        assertThat(a.sha256()).doesNotContain(parsed.secret());
    }

    @Test
    void malformedTokensDoNotParse() {
        assertThat(Tokens.parse("pohm_short")).isEmpty();
        assertThat(Tokens.parse("other_0123456789abcdef_secret")).isEmpty();
        assertThat(Tokens.parse("pohm_0123456789abcdeX_secret")).isEmpty();
        assertThat(Tokens.parse("pohm_0123456789abcdef-secret")).isEmpty();
        assertThat(Tokens.parse(null)).isEmpty();
    }

    @Test
    void theUsersFileRoundTripsAndIsValidated() {
        UsersFile file = new UsersFile(
                List.of(new UsersFile.User("alice", "{argon2}$argon2id$x", true, false, "/home/alice", false)),
                List.of(new UsersFile.Token("0123456789abcdef", "alice", "ci", "ab", Instant.parse("2026-01-01T00:00:00Z"),
                        null, false)));
        byte[] json = UsersFile.JSON.writeValueAsBytes(file);
        assertThat(new String(json, StandardCharsets.UTF_8)).contains("\"read-only\" : true")
                .contains("\"created\" : \"2026-01-01T00:00:00Z\"");
        assertThat(UsersFile.parse(json)).isEqualTo(file);
        assertThat(UsersFile.parse("{\"users\":[{\"name\":\"bob\",\"password\":\"{bcrypt}x\"}]}"
                .getBytes(StandardCharsets.UTF_8)).users().getFirst().root()).isEqualTo("/");

        assertThatThrownBy(() -> UsersFile.parse("{\"users\":[{\"name\":\"bob\",\"password\":\"plain\"}]}"
                .getBytes(StandardCharsets.UTF_8))).hasMessageContaining("hash");
        assertThatThrownBy(() -> UsersFile.parse(("{\"users\":[{\"name\":\"bob\",\"password\":\"{bcrypt}x\"},"
                + "{\"name\":\"bob\",\"password\":\"{bcrypt}y\"}]}").getBytes(StandardCharsets.UTF_8)))
                .hasMessageContaining("twice");
        assertThatThrownBy(() -> UsersFile.parse("{\"users\":[".getBytes(StandardCharsets.UTF_8)))
                .hasMessageContaining("not a users file");
        assertThatThrownBy(() -> UsersFile.parse(("{\"users\":[{\"name\":\"bob\",\"password\":\"{bcrypt}x\","
                + "\"root\":\"/a/../b\"}]}").getBytes(StandardCharsets.UTF_8))).hasMessageContaining("bad root");
    }

    @Test
    void argon2idIsTheDefaultAndNoopNeedsPermission() {
        String hash = Passwords.hash("s3cret");
        assertThat(hash).startsWith("{argon2}$argon2id$v=19$m=16384,t=2,p=1$");
        assertThat(Passwords.encoder(false).matches("s3cret", hash)).isTrue();
        assertThat(Passwords.encoder(false).matches("wrong", hash)).isFalse();
        assertThat(Passwords.known("{noop}x", false)).isFalse();
        assertThat(Passwords.known("{noop}x", true)).isTrue();
        assertThat(Passwords.known("{bcrypt}x", false)).isTrue();
        assertThat(Passwords.known("{md5}x", true)).isFalse();
    }

    @Test
    void forwardedForCountsOnlyFromTrustedProxies() {
        ClientAddresses none = new ClientAddresses(List.of());
        assertThat(none.resolve("10.0.0.5", List.of("1.2.3.4"))).isEqualTo("10.0.0.5");
        ClientAddresses proxied = new ClientAddresses(List.of("10.0.0.5", "10.0.0.6"));
        assertThat(proxied.resolve("10.0.0.5", List.of("6.6.6.6, 1.2.3.4, 10.0.0.6"))).isEqualTo("1.2.3.4");
        assertThat(proxied.resolve("10.0.0.7", List.of("1.2.3.4"))).isEqualTo("10.0.0.7");
        assertThat(proxied.resolve("10.0.0.5", null)).isEqualTo("10.0.0.5");
    }
}
