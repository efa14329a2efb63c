package org.pohmelfs.gateway.security;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;

/**
 * Remembers successful password checks for a while, so that a WebDAV client, which sends Basic
 * credentials on every request, pays the KDF (Argon2id: tens of ms of CPU) once per TTL instead
 * of on every request. The key is SHA-256(process salt, user, password, stored hash): no
 * password is kept, a changed hash misses by itself, and the whole cache is cleared when the
 * users file changes. Failures are never cached.
 */
final class VerificationCache {
    private final Cache<String, Boolean> verified;
    private final byte[] salt = new byte[32];

    /** {@code ttl} zero: nothing is remembered. */
    VerificationCache(Duration ttl, long maxEntries) {
        this.verified = ttl.isZero() || ttl.isNegative() ? null
                : Caffeine.newBuilder().expireAfterWrite(ttl).maximumSize(maxEntries).build();
        new SecureRandom().nextBytes(salt);
    }

    boolean known(String user, String password, String storedHash) {
        return verified != null && verified.getIfPresent(key(user, password, storedHash)) != null;
    }

    void remember(String user, String password, String storedHash) {
        if (verified != null) {
            verified.put(key(user, password, storedHash), Boolean.TRUE);
        }
    }

    void clear() {
        if (verified != null) {
            verified.invalidateAll();
        }
    }

    private String key(String user, String password, String storedHash) {
        byte[] u = (user + '\u0000' + password + '\u0000' + storedHash).getBytes(StandardCharsets.UTF_8);
        byte[] all = new byte[salt.length + u.length];
        System.arraycopy(salt, 0, all, 0, salt.length);
        System.arraycopy(u, 0, all, salt.length, u.length);
        return Base64.getEncoder().encodeToString(Tokens.digest(all));
    }
}
