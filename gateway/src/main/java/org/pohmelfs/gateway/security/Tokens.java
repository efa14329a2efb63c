package org.pohmelfs.gateway.security;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Optional;

/**
 * Bearer tokens: {@code pohm_<id>_<secret>}, where id is 16 hex digits (64 random bits, shown
 * by {@code token list}, used to revoke) and secret is 43 base64url characters (256 random
 * bits). The users file keeps only the SHA-256 of the secret: a random 256-bit secret needs no
 * slow KDF, and a stolen file yields no usable token.
 */
public final class Tokens {
    public static final String PREFIX = "pohm_";
    static final int ID_CHARS = 16;

    /** A new token: the text (shown once) and what the users file stores. */
    public record Issued(String token, String id, String sha256) {
    }

    /** A token split into its id and secret. */
    public record Parsed(String id, String secret) {
    }

    private Tokens() {
    }

    public static Issued issue(SecureRandom random) {
        byte[] id = new byte[ID_CHARS / 2];
        byte[] secret = new byte[32];
        random.nextBytes(id);
        random.nextBytes(secret);
        String idText = HexFormat.of().formatHex(id);
        String secretText = Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
        return new Issued(PREFIX + idText + "_" + secretText, idText, sha256(secretText));
    }

    /** Splits a token; empty if it is not of the form {@code pohm_<16 hex>_<secret>}. */
    public static Optional<Parsed> parse(String token) {
        if (token == null || !token.startsWith(PREFIX) || token.length() < PREFIX.length() + ID_CHARS + 2
                || token.charAt(PREFIX.length() + ID_CHARS) != '_') {
            return Optional.empty();
        }
        String id = token.substring(PREFIX.length(), PREFIX.length() + ID_CHARS);
        for (int i = 0; i < id.length(); i++) {
            if (Character.digit(id.charAt(i), 16) < 0) {
                return Optional.empty();
            }
        }
        return Optional.of(new Parsed(id.toLowerCase(java.util.Locale.ROOT),
                token.substring(PREFIX.length() + ID_CHARS + 1)));
    }

    /** The stored form of a secret: SHA-256, hex. */
    public static String sha256(String secret) {
        return HexFormat.of().formatHex(digest(secret.getBytes(StandardCharsets.UTF_8)));
    }

    /** Whether {@code secret} hashes to {@code storedSha256}, compared in constant time. */
    public static boolean matches(String secret, String storedSha256) {
        if (storedSha256 == null) {
            return false;
        }
        byte[] expected = storedSha256.getBytes(StandardCharsets.US_ASCII);
        byte[] actual = sha256(secret).getBytes(StandardCharsets.US_ASCII);
        return MessageDigest.isEqual(expected, actual);
    }

    static byte[] digest(byte[] data) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(data);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
