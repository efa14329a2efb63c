package org.pohmelfs.gateway.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pohmelfs.gateway.config.GatewayProperties;

/**
 * The users file as a Kubernetes Secret volume shows it (the Helm chart's {@code
 * gateway.auth.usersSecret}, mounted whole): {@code users.json -> ..data/users.json}, {@code ..data
 * -> ..<timestamp>}. The kubelet updates the Secret by writing a new timestamped folder and
 * renaming a new {@code ..data} link over the old one, so the path the gateway was given never
 * changes itself; {@link UserDirectory} compares the bytes it reads through the links and sees each
 * swap. Each step calls {@link UserDirectory#reload()} as the poller would.
 */
class UsersFileSecretVolumeTest {
    @TempDir
    Path volume;

    @Test
    void aSecretVolumeUpdateBySwappingTheDataLinkIsSeenEveryTime() throws IOException {
        kubeletWrites("..2026_11_29_16_00_00.1", users("alice"));
        Files.createSymbolicLink(volume.resolve("users.json"), Path.of("..data", "users.json"));
        Path file = volume.resolve("users.json");

        try (UserDirectory directory = new UserDirectory(auth(file))) {
            assertThat(directory.current().user("alice")).isNotNull();
            assertThat(directory.reload()).as("nothing changed yet").isFalse();

            kubeletWrites("..2026_11_29_16_01_00.2", users("alice", "bob"));
            assertThat(directory.reload()).isTrue();
            assertThat(directory.current().user("bob")).isNotNull();

            // a second rotation (spring-boot#44807 once saw only the first one for certificates)
            kubeletWrites("..2026_11_29_16_02_00.3", users("bob"));
            assertThat(directory.reload()).isTrue();
            assertThat(directory.current().user("alice")).isNull();
            assertThat(directory.current().user("bob")).isNotNull();
            assertThat(directory.reload()).isFalse();
        }
    }

    /** What the kubelet's AtomicWriter does: a new folder, a new link, renamed over {@code ..data}, the old folder removed. */
    private void kubeletWrites(String folder, String usersJson) throws IOException {
        Path dir = Files.createDirectory(volume.resolve(folder));
        Files.writeString(dir.resolve("users.json"), usersJson);
        Path data = volume.resolve("..data");
        Path old = Files.isSymbolicLink(data) ? volume.resolve(Files.readSymbolicLink(data)) : null;
        Path tmp = Files.createSymbolicLink(volume.resolve("..data_tmp"), Path.of(folder));
        Files.move(tmp, data, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        if (old != null) {
            Files.delete(old.resolve("users.json"));
            Files.delete(old);
        }
    }

    private static String users(String... names) {
        StringBuilder json = new StringBuilder("{\"users\":[");
        for (int i = 0; i < names.length; i++) {
            json.append(i == 0 ? "" : ",").append("{\"name\":\"").append(names[i])
                    .append("\",\"password\":\"{bcrypt}x\",\"read-only\":false,\"admin\":false,\"root\":\"/\",\"disabled\":false}");
        }
        return json.append("],\"tokens\":[]}").toString();
    }

    private static GatewayProperties.Auth auth(Path usersFile) {
        return new GatewayProperties.Auth(true, List.of(), usersFile, Duration.ofSeconds(2), false, Duration.ZERO,
                new GatewayProperties.Throttle(Duration.ofMinutes(1), 5, 20, 20, 1000), List.of());
    }
}
