package org.pohmelfs.gateway.https;

import java.util.regex.Pattern;

/**
 * The HTTPS URL for a request that came in over plain HTTP: the host the client asked for
 * (its {@code Host} header, without the port), the gateway's HTTPS port ({@code :443} left out)
 * and the same path and query. Pure: no I/O.
 */
public final class HttpsRedirect {
    /** A DNS name or IPv4 address, or an IPv6 literal in brackets; anything else is not echoed back. */
    private static final Pattern HOST = Pattern.compile("[A-Za-z0-9._-]{1,253}|\\[[0-9A-Fa-f:.%A-Za-z]{2,60}]");

    private static final Pattern ACTUATOR_PATH = Pattern.compile("[A-Za-z0-9/._-]+");

    private HttpsRedirect() {
    }

    /**
     * @param hostHeader   the request's Host header (may be null, may carry a port)
     * @param uri          the request target as sent: path and query, starting with '/'
     * @param httpsPort    the port clients reach HTTPS on
     * @param fallbackHost the host to name when the header is missing or not a plain host name
     */
    public static String location(String hostHeader, String uri, int httpsPort, String fallbackHost) {
        String host = host(hostHeader);
        if (host == null) {
            host = fallbackHost;
        }
        return "https://" + host + (httpsPort == 443 ? "" : ":" + httpsPort) + target(uri);
    }

    /** Path and query of a request target, also of the absolute form ({@code http://host/path}). */
    static String target(String uri) {
        if (uri == null) {
            return "/";
        }
        if (uri.regionMatches(true, 0, "http://", 0, 7)) {
            int slash = uri.indexOf('/', 7);
            return slash < 0 ? "/" : uri.substring(slash);
        }
        return uri.startsWith("/") ? uri : "/";
    }

    /**
     * Whether the plain listener may hand this request target to the application as an actuator
     * request: {@code /actuator} or below, in plain characters only (no dot segments, no percent
     * escapes, no empty segments), so that no path trick reaches anything else over plain HTTP.
     */
    public static boolean actuator(String uri) {
        String target = target(uri);
        int q = target.indexOf('?');
        String path = q < 0 ? target : target.substring(0, q);
        if (!path.equals("/actuator") && !path.startsWith("/actuator/")) {
            return false;
        }
        if (!ACTUATOR_PATH.matcher(path).matches()) {
            return false;
        }
        for (String segment : path.substring(1).split("/", -1)) {
            if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
                return false;
            }
        }
        return true;
    }

    /** The host part of a Host header, or null when there is none or it is not a plain host. */
    static String host(String hostHeader) {
        if (hostHeader == null) {
            return null;
        }
        String h = hostHeader.strip();
        String host;
        if (h.startsWith("[")) {
            int end = h.indexOf(']');
            host = end < 0 ? h : h.substring(0, end + 1);
        } else {
            int colon = h.indexOf(':');
            host = colon < 0 ? h : h.substring(0, colon);
        }
        return HOST.matcher(host).matches() ? host : null;
    }
}
