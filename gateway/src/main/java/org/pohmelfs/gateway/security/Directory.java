package org.pohmelfs.gateway.security;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.pohmelfs.gateway.config.GatewayProperties;
import org.pohmelfs.protocol.ObjectPath;

/**
 * One immutable view of who may log in: the configured users plus the users file's users and
 * tokens. A new one replaces the old whenever the file changes.
 */
public final class Directory {
    /** A user who may log in with a password (or through one of its tokens). */
    public record Entry(Account account, String passwordHash, boolean disabled) {
    }

    private final Map<String, Entry> users;
    private final Map<String, UsersFile.Token> tokens;

    private Directory(Map<String, Entry> users, Map<String, UsersFile.Token> tokens) {
        this.users = Map.copyOf(users);
        this.tokens = Map.copyOf(tokens);
    }

    /**
     * Configured users (a {@code {noop}} password when not allowed stops the gateway) and the
     * file's users and tokens (a user whose hash is not allowed is left out, with a warning).
     */
    public static Directory of(List<GatewayProperties.User> configured, UsersFile file, boolean allowNoop,
                               Consumer<String> warn) {
        Map<String, Entry> users = new HashMap<>();
        for (GatewayProperties.User u : configured) {
            if (u.password() == null || !u.password().startsWith("{")) {
                throw new IllegalStateException("user '" + u.name() + "': the password must be stored hashed, e.g. "
                        + "{argon2}$argon2id$... from bin/pohmelfs user hash (docs/security.md)");
            }
            if (!Passwords.known(u.password(), allowNoop)) {
                throw new IllegalStateException("user '" + u.name() + "': " + refusedEncoding(u.password()));
            }
            users.put(u.name(), new Entry(new Account(u.name(), u.readOnly(), u.admin(), ObjectPath.parse(u.root())),
                    u.password(), false));
        }
        for (UsersFile.User u : file.users()) {
            if (users.containsKey(u.name())) {
                warn.accept("user '" + u.name() + "' of the users file is also configured: the configured one is used");
            } else if (!Passwords.known(u.password(), allowNoop)) {
                warn.accept("user '" + u.name() + "' of the users file is left out: " + refusedEncoding(u.password()));
            } else {
                users.put(u.name(), new Entry(new Account(u.name(), u.readOnly(), u.admin(), ObjectPath.parse(u.root())),
                        u.password(), u.disabled()));
            }
        }
        Map<String, UsersFile.Token> tokens = new HashMap<>();
        for (UsersFile.Token t : file.tokens()) {
            tokens.put(t.id(), t);
        }
        return new Directory(users, tokens);
    }

    private static String refusedEncoding(String hash) {
        return hash.startsWith("{noop}")
                ? "plain-text {noop} passwords are refused (pohmelfs.gateway.auth.allow-noop-passwords)"
                : "unknown password encoding " + hash.substring(0, Math.max(1, hash.indexOf('}') + 1));
    }

    public Entry user(String name) {
        return users.get(name);
    }

    public UsersFile.Token token(String id) {
        return tokens.get(id);
    }

    public int userCount() {
        return users.size();
    }
}
