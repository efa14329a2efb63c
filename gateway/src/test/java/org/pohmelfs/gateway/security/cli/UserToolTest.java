package org.pohmelfs.gateway.security.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pohmelfs.gateway.security.Passwords;
import org.pohmelfs.gateway.security.Tokens;
import org.pohmelfs.gateway.security.UsersFile;

/** bin/pohmelfs user|token on a real users file. */
class UserToolTest {
    @TempDir
    Path dir;

    final Clock clock = Clock.fixed(Instant.parse("2026-11-29T12:00:00Z"), ZoneOffset.UTC);
    String out;
    String err;

    int run(String stdin, Deque<String> typed, String... args) {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        UserTool.PasswordSource console = typed == null ? null : prompt -> typed.poll();
        int status = UserTool.run(args, Map.of(), new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)),
                console, new PrintStream(o, true, StandardCharsets.UTF_8), new PrintStream(e, true, StandardCharsets.UTF_8),
                clock, new SecureRandom());
        out = o.toString(StandardCharsets.UTF_8);
        err = e.toString(StandardCharsets.UTF_8);
        return status;
    }

    /**
     * A container reads a bind-mounted users file as its own user (uid 10001): the operator gives
     * the file that group and mode 640 once, and every later change by the tool (a new file renamed
     * over the old one) keeps them. A new file is 600.
     */
    @Test
    void aReplacedFileKeepsItsGroupAndMode() throws Exception {
        Path file = dir.resolve("users.json");
        assertThat(run("pw1\n", null, "user", "add", "--file", file.toString(), "alice", "--password-stdin")).isZero();
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");

        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r-----"));
        GroupPrincipal group = Files.readAttributes(file, PosixFileAttributes.class).group();
        boolean root = "root".equals(System.getProperty("user.name"));
        if (root) { // only root may give a file a group it is not a member of: the case of uid 10001
            group = file.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByGroupName("10001");
            Files.getFileAttributeView(file, PosixFileAttributeView.class).setGroup(group);
        }
        Object inode = Files.readAttributes(file, PosixFileAttributes.class).fileKey();

        assertThat(run("pw2\n", null, "user", "add", "--file", file.toString(), "bob", "--password-stdin")).isZero();
        PosixFileAttributes after = Files.readAttributes(file, PosixFileAttributes.class);
        assertThat(after.fileKey()).as("a new file was renamed over the old one").isNotEqualTo(inode);
        assertThat(PosixFilePermissions.toString(after.permissions())).isEqualTo("rw-r-----");
        assertThat(after.group()).isEqualTo(group);
        assertThat(UsersFile.read(file).user("bob")).isPresent();
    }

    @Test
    void usersAreAddedChangedListedAndRemoved() throws Exception {
        Path file = dir.resolve("users.json");
        assertThat(run("pw1\n", null, "user", "add", "--file", file.toString(), "alice", "--read-only",
                "--root", "/home/alice", "--password-stdin")).isZero();
        UsersFile.User alice = UsersFile.read(file).user("alice").orElseThrow();
        assertThat(alice.readOnly()).isTrue();
        assertThat(alice.root()).isEqualTo("/home/alice");
        assertThat(alice.password()).startsWith("{argon2}$argon2id$");
        assertThat(Passwords.encoder(false).matches("pw1", alice.password())).isTrue();
        assertThat(Files.readString(file)).doesNotContain("pw1");

        assertThat(run("", new ArrayDeque<>(List.of("pw2", "pw2")), "user", "passwd", "--file", file.toString(),
                "alice")).isZero();
        assertThat(Passwords.encoder(false).matches("pw2", UsersFile.read(file).user("alice").orElseThrow().password()))
                .isTrue();
        assertThat(run("", new ArrayDeque<>(List.of("a", "b")), "user", "passwd", "--file", file.toString(), "alice"))
                .isEqualTo(1);
        assertThat(err).contains("differ");
        assertThat(run("", null, "user", "passwd", "--file", file.toString(), "alice")).isEqualTo(2);
        assertThat(err).contains("--password-stdin");

        assertThat(run("", null, "user", "set", "--file", file.toString(), "alice", "--writer", "--admin",
                "--disable")).isZero();
        alice = UsersFile.read(file).user("alice").orElseThrow();
        assertThat(alice.readOnly()).isFalse();
        assertThat(alice.admin()).isTrue();
        assertThat(alice.disabled()).isTrue();
        assertThat(alice.root()).isEqualTo("/home/alice");

        assertThat(run("x\n", null, "user", "add", "--file", file.toString(), "alice", "--password-stdin")).isEqualTo(1);
        assertThat(err).contains("exists");
        assertThat(run("", null, "user", "list", "--file", file.toString())).isZero();
        assertThat(out).isEqualTo("alice writer admin root=/home/alice disabled" + System.lineSeparator());

        assertThat(run("", null, "user", "remove", "--file", file.toString(), "alice")).isZero();
        assertThat(UsersFile.read(file).users()).isEmpty();
        assertThat(run("", null, "user", "remove", "--file", file.toString(), "alice")).isEqualTo(1);
        assertThat(run("", null, "user", "add", "--file", file.toString(), "bob", "--root", "/a/../b",
                "--password-stdin")).isEqualTo(2);
    }

    @Test
    void tokensAreCreatedOnceListedAndRevoked() throws Exception {
        Path file = dir.resolve("users.json");
        run("pw\n", null, "user", "add", "--file", file.toString(), "alice", "--password-stdin");
        assertThat(run("", null, "token", "create", "--file", file.toString(), "--user", "alice", "--ttl", "7d",
                "--name", "ci")).isZero();
        String token = out.strip();
        Tokens.Parsed parsed = Tokens.parse(token).orElseThrow();
        UsersFile.Token stored = UsersFile.read(file).tokens().getFirst();
        assertThat(stored.id()).isEqualTo(parsed.id());
        assertThat(stored.user()).isEqualTo("alice");
        assertThat(stored.name()).isEqualTo("ci");
        assertThat(stored.expires()).isEqualTo(clock.instant().plus(Duration.ofDays(7)));
        assertThat(Tokens.matches(parsed.secret(), stored.sha256())).isTrue();
        assertThat(Files.readString(file)).doesNotContain(parsed.secret());

        assertThat(run("", null, "token", "create", "--file", file.toString(), "--user", "nobody")).isEqualTo(1);
        assertThat(run("", null, "token", "create", "--file", file.toString(), "--user", "alice", "--ttl", "soon"))
                .isEqualTo(2);
        assertThat(run("", null, "token", "create", "--file", file.toString(), "--user", "alice", "--ttl", "never"))
                .isZero();
        assertThat(run("", null, "token", "list", "--file", file.toString())).isZero();
        assertThat(out).contains(parsed.id() + " user=alice name=ci created=2026-11-29T12:00:00Z "
                + "expires=2026-12-06T12:00:00Z valid").contains("expires=never valid").doesNotContain(parsed.secret());

        assertThat(run("", null, "token", "revoke", "--file", file.toString(), parsed.id())).isZero();
        assertThat(UsersFile.read(file).tokens().stream().filter(t -> t.id().equals(parsed.id())).findFirst()
                .orElseThrow().revoked()).isTrue();
        assertThat(run("", null, "token", "revoke", "--file", file.toString(), "ffffffffffffffff")).isEqualTo(1);

        assertThat(run("", null, "user", "remove", "--file", file.toString(), "alice")).isZero();
        assertThat(UsersFile.read(file).tokens()).as("a removed user's tokens go with it").isEmpty();
    }

    @Test
    void hashPrintsAnArgon2idHashAndBrokenFilesAreNotOverwritten() throws Exception {
        assertThat(run("s3cret\n", null, "user", "hash", "--password-stdin")).isZero();
        assertThat(Passwords.encoder(false).matches("s3cret", out.strip())).isTrue();

        Path file = dir.resolve("broken.json");
        Files.writeString(file, "{\"users\": [");
        assertThat(run("pw\n", null, "user", "add", "--file", file.toString(), "alice", "--password-stdin"))
                .isEqualTo(1);
        assertThat(err).contains("not a users file");
        assertThat(Files.readString(file)).isEqualTo("{\"users\": [");
        assertThat(run("", null, "user", "frobnicate")).isEqualTo(2);
        assertThat(UserTool.ttl("12h")).isEqualTo(Duration.ofHours(12));
        assertThat(UserTool.ttl("PT90M")).isEqualTo(Duration.ofMinutes(90));
        assertThat(UserTool.ttl("never")).isNull();
    }
}
