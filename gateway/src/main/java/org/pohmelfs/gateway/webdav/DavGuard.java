package org.pohmelfs.gateway.webdav;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import org.pohmelfs.gateway.http.HttpErrors;
import org.pohmelfs.gateway.http.PathCodec;
import org.pohmelfs.protocol.ObjectPath;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.server.reactive.ServerHttpRequest;

/**
 * Checks made before a request reaches Milton, which is lenient where RFC 4918 is strict:
 * the request path (strictly, with {@link PathCodec}), Depth, Overwrite and Destination.
 * Pure: it looks at the request line and headers only.
 */
final class DavGuard {
    /** The WebDAV front end's URL prefix. */
    static final String PREFIX = "/dav";

    /** Methods whose body is XML (screened by {@link XmlBodies}). */
    static final Set<String> XML_METHODS = Set.of("PROPFIND", "PROPPATCH", "LOCK", "REPORT", "ACL");

    private DavGuard() {
    }

    /** A refusal: status and an optional DAV:error precondition element. */
    record Refusal(HttpStatus status, String precondition, String detail) {
        static Refusal of(HttpStatus status, String detail) {
            return new Refusal(status, null, detail);
        }
    }

    /** The request's path decoded (relative to the prefix), or a refusal of it. */
    record Target(ObjectPath path, Refusal refusal) {
    }

    /** Decodes the request's path strictly ({@link PathCodec}), relative to {@link #PREFIX}. */
    static Target target(ServerHttpRequest request) {
        try {
            return new Target(PathCodec.decode(relative(request.getPath().pathWithinApplication().value())), null);
        } catch (ObjectPath.InvalidPathException e) {
            return new Target(null, Refusal.of(HttpErrors.status(e.code()), e.getMessage()));
        }
    }

    static Optional<Refusal> check(ServerHttpRequest request) {
        Target target = target(request);
        return target.refusal() != null ? Optional.of(target.refusal()) : checkHeaders(request);
    }

    /** The checks of {@link #check} other than the request's own path (already decoded by {@link #target}). */
    static Optional<Refusal> checkHeaders(ServerHttpRequest request) {
        String method = request.getMethod().name();
        HttpHeaders headers = request.getHeaders();
        String depth = headers.getFirst("Depth");
        String d = depth == null ? null : depth.trim().toLowerCase(Locale.ROOT);
        if (d != null && !d.equals("0") && !d.equals("1") && !d.equals("infinity")) {
            return Optional.of(Refusal.of(HttpStatus.BAD_REQUEST, "Depth must be 0, 1 or infinity"));
        }
        String overwrite = headers.getFirst("Overwrite");
        if (overwrite != null && !overwrite.trim().equals("T") && !overwrite.trim().equals("F")) {
            return Optional.of(Refusal.of(HttpStatus.BAD_REQUEST, "Overwrite must be T or F"));
        }
        return switch (method) {
            case "PROPFIND" -> d == null || d.equals("infinity")
                    ? Optional.of(new Refusal(HttpStatus.FORBIDDEN, "propfind-finite-depth",
                            "PROPFIND with Depth: infinity is not supported; use Depth 0 or 1"))
                    : Optional.empty();
            case "COPY" -> d != null && d.equals("1")
                    ? Optional.of(Refusal.of(HttpStatus.BAD_REQUEST, "COPY takes Depth 0 or infinity"))
                    : checkDestination(request);
            case "MOVE" -> d != null && !d.equals("infinity")
                    ? Optional.of(Refusal.of(HttpStatus.BAD_REQUEST, "MOVE takes Depth infinity only"))
                    : checkDestination(request);
            default -> Optional.empty();
        };
    }

    /** The part of a raw path after the prefix ("/" for the prefix itself). */
    static String relative(String rawPath) {
        return rawPath.length() <= PREFIX.length() ? "/" : rawPath.substring(PREFIX.length());
    }

    private static Optional<Refusal> checkPath(String rawRelative) {
        try {
            PathCodec.decode(rawRelative);
            return Optional.empty();
        } catch (ObjectPath.InvalidPathException e) {
            return Optional.of(Refusal.of(HttpErrors.status(e.code()), e.getMessage()));
        }
    }

    /**
     * RFC 4918 section 9.8.5/9.9.4: a Destination on another server or outside this
     * namespace is 502 (Bad Gateway); a malformed one is 400.
     */
    private static Optional<Refusal> checkDestination(ServerHttpRequest request) {
        String destination = request.getHeaders().getFirst("Destination");
        if (destination == null || destination.isBlank()) {
            return Optional.of(Refusal.of(HttpStatus.BAD_REQUEST, "a Destination header is required"));
        }
        URI uri;
        try {
            uri = new URI(destination.trim());
        } catch (URISyntaxException e) {
            return Optional.of(Refusal.of(HttpStatus.BAD_REQUEST, "the Destination is not a valid URI"));
        }
        if (uri.getRawPath() == null || uri.getRawPath().isEmpty()) {
            return Optional.of(Refusal.of(HttpStatus.BAD_REQUEST, "the Destination has no path"));
        }
        if (uri.isAbsolute()) {
            String host = request.getHeaders().getFirst(HttpHeaders.HOST);
            boolean web = "http".equalsIgnoreCase(uri.getScheme()) || "https".equalsIgnoreCase(uri.getScheme());
            if (!web || host == null || uri.getRawAuthority() == null
                    || !uri.getRawAuthority().equalsIgnoreCase(host)) {
                return Optional.of(Refusal.of(HttpStatus.BAD_GATEWAY, "the Destination is on another server"));
            }
        }
        String raw = uri.getRawPath();
        if (!raw.equals(PREFIX) && !raw.startsWith(PREFIX + "/")) {
            return Optional.of(Refusal.of(HttpStatus.BAD_GATEWAY, "the Destination is outside " + PREFIX + "/"));
        }
        return checkPath(relative(raw));
    }
}
