package org.pohmelfs.gateway.audit;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Instant;
import java.util.Optional;
import org.pohmelfs.gateway.http.PathCodec;
import org.pohmelfs.gateway.security.Account;
import org.pohmelfs.gateway.security.PathView;
import org.pohmelfs.gateway.security.SecurityConfiguration;
import org.pohmelfs.protocol.ObjectPath;

/**
 * Decides whether an answered request was a change worth a line, and makes the line. Pure: the
 * request's facts come in as arguments (the time too).
 *
 * <p>A change is a request with a method other than GET, HEAD, OPTIONS and PROPFIND, to the
 * REST files API, WebDAV or the admin API, answered 2xx (207 included: part of a WebDAV
 * DELETE or MOVE may have happened). Refused requests are not changes; they go to the
 * refusal log.
 */
public final class AuditEntries {
    private AuditEntries() {
    }

    /** What the filter knows of an answered request. */
    public record Answered(String method, String rawPath, String action, String to, String destination,
                           String client, int status, long bytes) {
    }

    public static Optional<AuditEntry> of(Answered r, Account account, String gateway, Instant now) {
        if (SecurityConfiguration.SAFE_METHODS.contains(r.method()) || r.status() < 200 || r.status() > 299) {
            return Optional.empty();
        }
        String raw = r.rawPath();
        PathView view = PathView.of(account);
        String frontEnd;
        String operation;
        String prefix;
        if (under(raw, "/api/v1/files")) {
            frontEnd = "rest";
            prefix = "/api/v1/files";
            operation = switch (r.method()) {
                case "PUT" -> "write";
                case "PATCH" -> "patch";
                case "DELETE" -> "delete";
                case "POST" -> r.action() == null ? "post" : r.action();
                default -> r.method().toLowerCase(java.util.Locale.ROOT);
            };
        } else if (under(raw, "/api/v1/xattrs")) {
            frontEnd = "rest";
            prefix = "/api/v1/xattrs";
            operation = r.method().equals("DELETE") ? "remove-xattr" : "set-xattr";
        } else if (under(raw, "/dav")) {
            frontEnd = "dav";
            prefix = "/dav";
            operation = r.method().toLowerCase(java.util.Locale.ROOT);
        } else if (under(raw, "/admin")) {
            String op = r.method().equals("POST") && raw.equals("/admin/v1/nodes") ? "add-node"
                    : r.method().equals("DELETE") && raw.startsWith("/admin/v1/nodes/") ? "remove-node"
                    : r.method().toLowerCase(java.util.Locale.ROOT) + " " + raw;
            return Optional.of(new AuditEntry(now.toString(), gateway, account.name(), r.client(), r.method(), "admin",
                    op, raw, raw, null, null, r.status(), r.bytes()));
        } else {
            return Optional.empty();
        }
        ObjectPath viewPath = decodeOrNull(raw.length() <= prefix.length() ? "/" : raw.substring(prefix.length()));
        ObjectPath viewTarget = null;
        if (frontEnd.equals("rest") && r.to() != null) {
            viewTarget = parseOrNull(r.to());
        } else if (frontEnd.equals("dav") && r.destination() != null
                && (r.method().equals("COPY") || r.method().equals("MOVE"))) {
            viewTarget = davDestination(r.destination());
        }
        return Optional.of(new AuditEntry(now.toString(), gateway, account.name(), r.client(), r.method(), frontEnd,
                operation, real(view, viewPath), string(viewPath), real(view, viewTarget), string(viewTarget),
                r.status(), r.bytes()));
    }

    private static boolean under(String raw, String prefix) {
        return raw.equals(prefix) || raw.startsWith(prefix + "/");
    }

    private static String real(PathView view, ObjectPath viewPath) {
        return viewPath == null ? null : view.inward(viewPath).toString();
    }

    private static String string(ObjectPath p) {
        return p == null ? null : p.toString();
    }

    private static ObjectPath decodeOrNull(String raw) {
        try {
            return PathCodec.decode(raw);
        } catch (ObjectPath.InvalidPathException e) {
            return null;
        }
    }

    private static ObjectPath parseOrNull(String decoded) {
        try {
            return PathCodec.parseDecoded(decoded);
        } catch (ObjectPath.InvalidPathException e) {
            return null;
        }
    }

    private static ObjectPath davDestination(String header) {
        try {
            String raw = new URI(header.trim()).getRawPath();
            if (raw == null || !under(raw, "/dav")) {
                return null;
            }
            return decodeOrNull(raw.length() <= 4 ? "/" : raw.substring(4));
        } catch (URISyntaxException e) {
            return null;
        }
    }
}
