package org.pohmelfs.gateway.security;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.UnaryOperator;
import org.pohmelfs.protocol.ObjectPath;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * The users file ({@code pohmelfs.gateway.auth.users-file}): JSON, written by
 * {@code bin/pohmelfs user|token}, read by every gateway that shares it.
 *
 * <pre>
 * {
 *   "users": [
 *     {"name": "alice", "password": "{argon2}$argon2id$v=19$m=16384,t=2,p=1$...",
 *      "read-only": false, "admin": false, "root": "/", "disabled": false}
 *   ],
 *   "tokens": [
 *     {"id": "3f9c0a1b2c3d4e5f", "user": "alice", "name": "backup", "sha256": "9b1c...",
 *      "created": "2026-11-29T15:40:00Z", "expires": "2026-12-29T15:40:00Z", "revoked": false}
 *   ]
 * }
 * </pre>
 *
 * @param users  the users
 * @param tokens the bearer tokens (only the SHA-256 of each secret, see {@link Tokens})
 */
public record UsersFile(List<User> users, List<Token> tokens) {
    public static final UsersFile EMPTY = new UsersFile(List.of(), List.of());

    static final JsonMapper JSON = JsonMapper.builder()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .disable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(SerializationFeature.INDENT_OUTPUT)
            .build();

    /**
     * One user.
     *
     * @param password the password hash with its encoder id, e.g. {@code {argon2}$argon2id$...}
     * @param root     the user's view of the tree starts here ("/" for all of it)
     * @param disabled the user may not log in (its tokens neither)
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record User(String name, String password, @JsonProperty("read-only") boolean readOnly, boolean admin,
                       String root, boolean disabled) {
        public User {
            root = root == null || root.isEmpty() ? "/" : root;
        }
    }

    /**
     * One bearer token.
     *
     * @param id      the public part of the token (16 hex digits)
     * @param name    a label for people ("backup script")
     * @param sha256  SHA-256 of the secret part, hex
     * @param expires null: never
     * @param revoked refused from now on
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Token(String id, String user, String name, String sha256, Instant created, Instant expires,
                        boolean revoked) {
    }

    public UsersFile {
        users = users == null ? List.of() : List.copyOf(users);
        tokens = tokens == null ? List.of() : List.copyOf(tokens);
    }

    /** Parses and validates; a {@link IllegalArgumentException} says what is wrong. */
    public static UsersFile parse(byte[] json) {
        UsersFile file;
        try {
            file = JSON.readValue(json, UsersFile.class);
        } catch (JacksonException e) {
            throw new IllegalArgumentException("not a users file: " + e.getOriginalMessage(), e);
        }
        if (file == null) {
            throw new IllegalArgumentException("not a users file: empty");
        }
        file.validate();
        return file;
    }

    /** Reads {@code path}; {@link #EMPTY} if there is no such file. */
    public static UsersFile read(Path path) throws IOException {
        try {
            return parse(Files.readAllBytes(path));
        } catch (NoSuchFileException e) {
            return EMPTY;
        }
    }

    /**
     * Writes {@code path} atomically (a temporary file beside it, then a rename): mode 600 when new;
     * a file replaced keeps its group and mode, so one {@code chgrp 10001; chmod 640} (a container's
     * user reading a bind-mounted file) survives every later change.
     */
    public void write(Path path) throws IOException {
        validate();
        Path dir = path.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, "." + path.getFileName(), ".tmp");
        try {
            Files.write(tmp, JSON.writeValueAsBytes(this));
            keepGroupAndMode(path, tmp);
            Files.move(tmp, path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private static void keepGroupAndMode(Path old, Path tmp) throws IOException {
        PosixFileAttributeView view = Files.getFileAttributeView(tmp, PosixFileAttributeView.class);
        if (view == null || !Files.exists(old)) {
            return;
        }
        PosixFileAttributes was = Files.readAttributes(old, PosixFileAttributes.class);
        try {
            view.setGroup(was.group());
        } catch (IOException e) {
            // not a member of that group: the file gets the writer's group, as a new file would
        }
        view.setPermissions(was.permissions());
    }

    /** Reads, changes and writes {@code path} (not safe against two writers at once). */
    public static UsersFile update(Path path, UnaryOperator<UsersFile> change) throws IOException {
        UsersFile changed = change.apply(read(path));
        changed.write(path);
        return changed;
    }

    void validate() {
        Set<String> names = new HashSet<>();
        for (User u : users) {
            if (u == null || u.name() == null || u.name().isBlank() || u.name().contains(":")) {
                throw new IllegalArgumentException("a user needs a name without ':'");
            }
            if (!names.add(u.name())) {
                throw new IllegalArgumentException("user '" + u.name() + "' appears twice");
            }
            if (u.password() == null || !u.password().startsWith("{")) {
                throw new IllegalArgumentException("user '" + u.name() + "': the password must be a hash with its "
                        + "encoder id, e.g. {argon2}$argon2id$...");
            }
            try {
                ObjectPath.parse(u.root());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("user '" + u.name() + "': bad root " + u.root() + ": " + e.getMessage());
            }
        }
        Set<String> ids = new HashSet<>();
        for (Token t : tokens) {
            if (t == null || t.id() == null || t.sha256() == null || t.user() == null) {
                throw new IllegalArgumentException("a token needs an id, a user and a sha256");
            }
            if (!ids.add(t.id())) {
                throw new IllegalArgumentException("token " + t.id() + " appears twice");
            }
        }
    }

    public java.util.Optional<User> user(String name) {
        return users.stream().filter(u -> u.name().equals(name)).findFirst();
    }

    public UsersFile withUser(User user) {
        List<User> list = new ArrayList<>(users.stream().filter(u -> !u.name().equals(user.name())).toList());
        list.add(user);
        return new UsersFile(list, tokens);
    }

    /** Without the user and its tokens. */
    public UsersFile withoutUser(String name) {
        return new UsersFile(users.stream().filter(u -> !u.name().equals(name)).toList(),
                tokens.stream().filter(t -> !t.user().equals(name)).toList());
    }

    public UsersFile withToken(Token token) {
        List<Token> list = new ArrayList<>(tokens.stream().filter(t -> !t.id().equals(token.id())).toList());
        list.add(token);
        return new UsersFile(users, list);
    }
}
