package org.pohmelfs.gateway.webdav.lock;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.pohmelfs.gateway.files.FileException;
import org.pohmelfs.gateway.files.FileService;
import org.pohmelfs.gateway.files.LockService;
import org.pohmelfs.gateway.http.HttpErrors;
import org.pohmelfs.gateway.http.PathCodec;
import org.pohmelfs.protocol.Attr;
import org.pohmelfs.protocol.DavLock;
import org.pohmelfs.protocol.ErrorCode;
import org.pohmelfs.protocol.ObjectPath;
import org.pohmelfs.gateway.security.PathView;
import org.springframework.http.HttpStatus;

/**
 * WebDAV class 2 on the gateway: answers LOCK and UNLOCK, and evaluates the If header of every
 * request. Blocking (runs on the request's virtual thread); holds no lock state — the storage
 * node holds and enforces the locks, this class only translates.
 */
public final class DavLockHandler {
    private final FileService files;
    private final LockService locks;
    private final String urlPrefix;

    public DavLockHandler(FileService files, LockService locks, String urlPrefix) {
        this.files = files;
        this.locks = locks;
        this.urlPrefix = urlPrefix;
    }

    /** A response decided here: status, extra headers, body (may be empty). */
    public record Answer(HttpStatus status, Map<String, String> headers, String body) {
        static Answer of(HttpStatus status, String body) {
            return new Answer(status, Map.of(), body);
        }

        public byte[] bytes() {
            return body.getBytes(StandardCharsets.UTF_8);
        }

        public boolean xml() {
            return body.startsWith("<?xml");
        }
    }

    /**
     * The If header's verdict: the tokens it submits, or a refusal (400 malformed, 412 false).
     *
     * @param refusal null when the request may go on
     */
    public record Verdict(List<String> tokens, Answer refusal) {
    }

    /** Evaluates an If header (null: none) for a request on {@code path}. */
    public Verdict evaluateIf(String header, ObjectPath path) {
        if (header == null) {
            return new Verdict(List.of(), null);
        }
        IfHeader parsed;
        try {
            parsed = IfHeader.parse(header);
        } catch (IfHeader.Malformed e) {
            return new Verdict(List.of(), Answer.of(HttpStatus.BAD_REQUEST, e.getMessage() + "\n"));
        }
        Map<String, IfHeader.State> states = new HashMap<>();
        try {
            boolean ok = parsed.evaluate(tag -> states.computeIfAbsent(tag == null ? "" : tag,
                    t -> state(t.isEmpty() ? path : resolve(t))));
            if (!ok) {
                return new Verdict(List.of(), Answer.of(HttpStatus.PRECONDITION_FAILED,
                        "the If header's conditions are not met\n"));
            }
        } catch (ObjectPath.InvalidPathException e) {
            return new Verdict(List.of(), Answer.of(HttpStatus.BAD_REQUEST, "If header: " + e.getMessage() + "\n"));
        }
        return new Verdict(parsed.tokens(), null);
    }

    private IfHeader.State state(ObjectPath p) {
        Attr attr = files.find(p).block();
        List<DavLock> covering = locks.locks(p, false).block();
        Set<String> tokens = covering == null ? Set.of()
                : covering.stream().map(DavLock::token).collect(Collectors.toSet());
        return new IfHeader.State(attr == null ? null : attr.etag(), tokens);
    }

    /** A resource tag (absolute URL or absolute path) as a path under the prefix. */
    private ObjectPath resolve(String tag) {
        String raw;
        try {
            raw = new URI(tag).getRawPath();
        } catch (java.net.URISyntaxException e) {
            throw new ObjectPath.InvalidPathException(ErrorCode.INVALID_PATH, "bad resource tag");
        }
        if (raw == null || !(raw.equals(urlPrefix) || raw.startsWith(urlPrefix + "/"))) {
            throw new ObjectPath.InvalidPathException(ErrorCode.INVALID_PATH, "resource tag outside " + urlPrefix);
        }
        return PathView.current().inward(
                PathCodec.decode(raw.length() == urlPrefix.length() ? "/" : raw.substring(urlPrefix.length())));
    }

    /** LOCK: a new lock (with a lockinfo body) or a refresh (without). */
    public Answer lock(ObjectPath path, byte[] body, String depth, String timeout, String principal,
                       List<String> held) {
        LockRequest req;
        try {
            req = LockRequest.parse(body, depth, timeout);
        } catch (LockRequest.Invalid e) {
            return Answer.of(HttpStatus.BAD_REQUEST, e.getMessage() + "\n");
        }
        try {
            if (!req.create()) {
                DavLock l = locks.refresh(path, held, principal, req.timeoutSeconds()).block();
                return new Answer(HttpStatus.OK, Map.of(), LockXml.lockResponse(l, this::url));
            }
            LockService.Taken t = locks.lock(path, req.exclusive(), req.infinite(), req.owner(), principal,
                    req.timeoutSeconds(), held).block();
            return new Answer(t.created() ? HttpStatus.CREATED : HttpStatus.OK,
                    Map.of("Lock-Token", "<" + t.lock().token() + ">"), LockXml.lockResponse(t.lock(), this::url));
        } catch (FileException e) {
            return switch (e.code()) {
                case LOCKED -> locked(path, req.create() ? "no-conflicting-lock" : "lock-token-submitted");
                case NO_SUCH_LOCK -> Answer.of(HttpStatus.PRECONDITION_FAILED,
                        LockXml.error("lock-token-submitted", href(path)));
                case NOT_FOUND -> Answer.of(HttpStatus.CONFLICT, "the parent collection does not exist\n");
                default -> Answer.of(HttpErrors.status(e.code()), e.getMessage() + "\n");
            };
        }
    }

    /** UNLOCK with the Lock-Token header. */
    public Answer unlock(ObjectPath path, String lockToken, String principal) {
        String t = lockToken == null ? "" : lockToken.trim();
        if (t.length() < 3 || t.charAt(0) != '<' || t.charAt(t.length() - 1) != '>') {
            return Answer.of(HttpStatus.BAD_REQUEST, "UNLOCK needs a Lock-Token header: <token>\n");
        }
        try {
            locks.unlock(path, t.substring(1, t.length() - 1), principal).block();
            return Answer.of(HttpStatus.NO_CONTENT, "");
        } catch (FileException e) {
            if (e.code() == ErrorCode.NO_SUCH_LOCK) {
                return Answer.of(HttpStatus.CONFLICT, LockXml.error("lock-token-matches-request-uri", null));
            }
            return Answer.of(HttpErrors.status(e.code()), e.getMessage() + "\n");
        }
    }

    /**
     * The answer to a change the node refused with LOCKED: the locks that stand in the way
     * (covering the path, rooted inside it, or on its parent) other than those the request
     * holds. For a DELETE or MOVE stopped only by locks inside the tree, a 207 multistatus
     * naming each locked member with 423 (RFC 4918 section 9.6.1); otherwise 423 with
     * {@code lock-token-submitted} naming the locked URLs.
     */
    public Answer lockedOut(ObjectPath path, String method, String principal, List<String> held) {
        java.util.TreeSet<String> roots = new java.util.TreeSet<>();
        List<DavLock> found = new ArrayList<>(java.util.Objects.requireNonNullElse(locks.locks(path, true).block(),
                List.of()));
        if (!path.isRoot()) {
            found.addAll(java.util.Objects.requireNonNullElse(locks.locks(path.parent(), false).block(), List.of()));
        }
        for (DavLock l : found) {
            if (!(held.contains(l.token()) && l.principal().equals(principal))) {
                roots.add(l.root());
            }
        }
        if (roots.isEmpty()) {
            return locked(path, "lock-token-submitted");
        }
        boolean allInside = roots.stream().allMatch(r -> DavLock.isBelow(r, path.toString()));
        if (allInside && (method.equals("DELETE") || method.equals("MOVE"))) {
            StringBuilder sb = new StringBuilder("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
                    + "<D:multistatus xmlns:D=\"DAV:\">");
            for (String r : roots) {
                sb.append("<D:response>").append(href(ObjectPath.parse(r)))
                        .append("<D:status>HTTP/1.1 423 Locked</D:status>"
                                + "<D:error><D:lock-token-submitted/></D:error></D:response>");
            }
            return new Answer(HttpStatus.MULTI_STATUS, Map.of(), sb.append("</D:multistatus>\n").toString());
        }
        StringBuilder hrefs = new StringBuilder();
        for (String r : roots) {
            hrefs.append(href(ObjectPath.parse(r)));
        }
        return Answer.of(HttpStatus.LOCKED, LockXml.error("lock-token-submitted", hrefs.toString()));
    }

    /** 423 with the precondition that failed and the locked URL. */
    public Answer locked(ObjectPath path, String precondition) {
        return Answer.of(HttpStatus.LOCKED, LockXml.error(precondition, href(path)));
    }

    private String href(ObjectPath path) {
        return "<D:href>" + LockXml.escape(url(path)) + "</D:href>";
    }

    /** The URL of a real path in the view of the request being served ({@link PathView#current()}). */
    private String url(ObjectPath real) {
        return urlPrefix + PathCodec.encode(PathView.current().outward(real));
    }

    /** Lockdiscovery XML for a resource (for PROPFIND). */
    public String discovery(ObjectPath path, String prefix) {
        List<DavLock> l = locks.locks(path, false).block();
        return LockXml.activeLocks(l == null ? List.of() : new ArrayList<>(l), this::url, prefix);
    }
}
