package org.pohmelfs.gateway.security;

import java.net.InetSocketAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.web.server.ServerWebExchange;

/**
 * One line per refused request (401, 403, 429) on the logger {@code pohmelfs.security}: the
 * status, the client address, the user (if any), the method, the path and the reason. Never a
 * password or a token.
 *
 * <pre>
 * refused 401 client=127.0.0.2 user=alice method=PUT path=/api/v1/files/a.txt reason="bad password"
 * </pre>
 *
 * Whoever refuses a request calls {@link #refuse}: authentication (this package), throttling,
 * authorization (read-only, admin) and confinement ({@link #OUTSIDE_ROOT}).
 */
public final class RefusalLog {
    /** The logger every refusal goes to. */
    public static final String LOGGER = "pohmelfs.security";

    public static final String NO_CREDENTIALS = "no credentials";
    public static final String UNKNOWN_USER = "unknown user";
    public static final String BAD_PASSWORD = "bad password";
    public static final String DISABLED_USER = "disabled user";
    public static final String UNKNOWN_TOKEN = "unknown token";
    public static final String TOKEN_EXPIRED = "token expired";
    public static final String TOKEN_REVOKED = "token revoked";
    public static final String THROTTLED = "throttled";
    public static final String READ_ONLY_USER = "read-only user";
    public static final String NOT_AN_ADMIN = "not an admin";
    public static final String OUTSIDE_ROOT = "outside root";
    public static final String READ_ONLY_GATEWAY = "read-only gateway";

    /** Set on an exchange once its refusal is logged, so {@link RefusalFilter} logs it only once. */
    static final String LOGGED = RefusalLog.class.getName() + ".logged";
    /** The reason a handler gives for the refusal {@link RefusalFilter} will log (see {@link #because}). */
    static final String REASON = RefusalLog.class.getName() + ".reason";

    private static final Logger LOG = LoggerFactory.getLogger(LOGGER);

    private RefusalLog() {
    }

    /** Logs a 403 for an authenticated {@code account} (e.g. {@link #OUTSIDE_ROOT}). */
    public static void refuse(ServerWebExchange exchange, Account account, String reason) {
        refuse(exchange, 403, account == null ? null : account.name(), reason);
    }

    /**
     * Logs one refusal.
     *
     * @param status the status the client gets (401, 403, 429)
     * @param user   the user name the client gave or was authenticated as; null if none
     */
    public static void refuse(ServerWebExchange exchange, int status, String user, String reason) {
        exchange.getAttributes().put(LOGGED, Boolean.TRUE);
        if (!LOG.isInfoEnabled()) {
            return;
        }
        LOG.info("refused {} client={} user={} method={} path={} reason=\"{}\"", status, client(exchange),
                user == null ? "-" : printable(user), exchange.getRequest().getMethod().name(),
                printable(exchange.getRequest().getPath().value()), reason);
    }

    /**
     * Names the reason of a refusal a handler is about to answer (e.g. the REST API's 403 with its
     * problem code); {@link RefusalFilter} logs it once the answer is made.
     */
    public static void because(ServerWebExchange exchange, String reason) {
        exchange.getAttributes().put(REASON, reason);
    }

    /** The client address: the one the throttle resolved (trusted proxies), else the TCP peer. */
    static String client(ServerWebExchange exchange) {
        String resolved = exchange.getAttribute(ClientAddresses.ATTRIBUTE);
        if (resolved != null) {
            return resolved;
        }
        InetSocketAddress remote = exchange.getRequest().getRemoteAddress();
        return remote == null || remote.getAddress() == null ? "-" : remote.getAddress().getHostAddress();
    }

    /** No line breaks or quotes from the client into the log (log forging). */
    static String printable(String s) {
        StringBuilder b = new StringBuilder(Math.min(s.length(), 256));
        for (int i = 0; i < s.length() && i < 256; i++) {
            char c = s.charAt(i);
            b.append(c < 0x20 || c == 0x7f || c == '"' ? '?' : c);
        }
        return b.toString();
    }
}
