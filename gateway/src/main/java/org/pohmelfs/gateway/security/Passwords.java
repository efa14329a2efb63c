package org.pohmelfs.gateway.security;

import java.util.HashMap;
import java.util.Map;
import org.springframework.security.crypto.argon2.Argon2PasswordEncoder;
import org.springframework.security.crypto.bcrypt.BCryptPasswordEncoder;
import org.springframework.security.crypto.password.DelegatingPasswordEncoder;
import org.springframework.security.crypto.password.NoOpPasswordEncoder;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.security.crypto.password.Pbkdf2PasswordEncoder;
import org.springframework.security.crypto.scrypt.SCryptPasswordEncoder;

/**
 * The password encoders: new hashes are Argon2id ({@code {argon2}$argon2id$v=19$m=16384,t=2,p=1$...},
 * Spring Security's 5.8 defaults: 16 MiB, 2 passes); {@code {bcrypt}}, {@code {pbkdf2}} and
 * {@code {scrypt}} hashes are still accepted; {@code {noop}} (plain text) only when allowed.
 * Argon2's parameters travel in the hash, so stronger settings later keep old hashes valid.
 */
public final class Passwords {
    public static final String DEFAULT_ID = "argon2";

    private Passwords() {
    }

    public static PasswordEncoder encoder(boolean allowNoop) {
        Map<String, PasswordEncoder> encoders = new HashMap<>();
        Argon2PasswordEncoder argon2 = Argon2PasswordEncoder.defaultsForSpringSecurity_v5_8();
        encoders.put(DEFAULT_ID, argon2);
        encoders.put("argon2@SpringSecurity_v5_8", argon2);
        encoders.put("bcrypt", new BCryptPasswordEncoder());
        encoders.put("pbkdf2", Pbkdf2PasswordEncoder.defaultsForSpringSecurity_v5_5());
        encoders.put("pbkdf2@SpringSecurity_v5_8", Pbkdf2PasswordEncoder.defaultsForSpringSecurity_v5_8());
        encoders.put("scrypt", SCryptPasswordEncoder.defaultsForSpringSecurity_v4_1());
        encoders.put("scrypt@SpringSecurity_v5_8", SCryptPasswordEncoder.defaultsForSpringSecurity_v5_8());
        if (allowNoop) {
            @SuppressWarnings("deprecation")
            PasswordEncoder noop = NoOpPasswordEncoder.getInstance();
            encoders.put("noop", noop);
        }
        return new DelegatingPasswordEncoder(DEFAULT_ID, encoders);
    }

    /** The Argon2id hash of {@code password}, with its id: what the users file stores. */
    public static String hash(String password) {
        return encoder(false).encode(password);
    }

    /** Whether a stored hash uses an encoder this gateway knows (and allows). */
    public static boolean known(String storedHash, boolean allowNoop) {
        if (storedHash == null || !storedHash.startsWith("{") || storedHash.indexOf('}') < 0) {
            return false;
        }
        String id = storedHash.substring(1, storedHash.indexOf('}'));
        return switch (id) {
            case "noop" -> allowNoop;
            case DEFAULT_ID, "argon2@SpringSecurity_v5_8", "bcrypt", "pbkdf2", "pbkdf2@SpringSecurity_v5_8",
                 "scrypt", "scrypt@SpringSecurity_v5_8" -> true;
            default -> false;
        };
    }
}
