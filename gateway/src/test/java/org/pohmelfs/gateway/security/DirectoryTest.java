package org.pohmelfs.gateway.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.pohmelfs.gateway.config.GatewayProperties;
import org.pohmelfs.protocol.ObjectPath;

/** Configured users and the users file's users merged into one directory. */
class DirectoryTest {
    final List<String> warnings = new ArrayList<>();

    static UsersFile file(UsersFile.User... users) {
        return new UsersFile(List.of(users), List.of());
    }

    @Test
    void plainTextPasswordsNeedPermission() {
        List<GatewayProperties.User> configured = List.of(new GatewayProperties.User("ops", "{noop}pw", false, true, "/"));
        assertThatThrownBy(() -> Directory.of(configured, UsersFile.EMPTY, false, warnings::add))
                .hasMessageContaining("allow-noop-passwords");
        assertThat(Directory.of(configured, UsersFile.EMPTY, true, warnings::add).user("ops").account().admin()).isTrue();

        Directory d = Directory.of(List.of(), file(new UsersFile.User("eve", "{noop}pw", false, false, "/", false),
                new UsersFile.User("amy", "{md4}x", false, false, "/", false),
                new UsersFile.User("bob", "{bcrypt}x", true, false, "/home/bob", false)), false, warnings::add);
        assertThat(d.user("eve")).isNull();
        assertThat(d.user("amy")).isNull();
        assertThat(d.user("bob").account()).isEqualTo(new Account("bob", true, false, ObjectPath.parse("/home/bob")));
        assertThat(warnings).hasSize(2).anyMatch(w -> w.contains("eve") && w.contains("{noop}"))
                .anyMatch(w -> w.contains("amy") && w.contains("unknown password encoding"));
    }

    @Test
    void aConfiguredUserWinsOverTheFilesNamesake() {
        Directory d = Directory.of(List.of(new GatewayProperties.User("ops", "{bcrypt}a", false, true, "/")),
                file(new UsersFile.User("ops", "{bcrypt}b", true, false, "/x", true)), false, warnings::add);
        assertThat(d.user("ops").passwordHash()).isEqualTo("{bcrypt}a");
        assertThat(d.user("ops").disabled()).isFalse();
        assertThat(warnings).singleElement().asString().contains("also configured");
        assertThatThrownBy(() -> Directory.of(List.of(new GatewayProperties.User("x", "plain", false, false, "/")),
                UsersFile.EMPTY, true, warnings::add)).hasMessageContaining("hashed");
    }
}
