package org.pohmelfs.gateway.webdav;

import io.milton.http.HttpManager;
import io.milton.http.Request;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.security.Principal;
import org.pohmelfs.gateway.files.FileService;
import org.pohmelfs.gateway.http.HttpDates;
import org.pohmelfs.gateway.http.PathCodec;
import org.pohmelfs.gateway.security.Account;
import org.pohmelfs.gateway.security.Accounts;
import org.pohmelfs.gateway.security.PathView;
import org.springframework.security.core.Authentication;
import org.pohmelfs.gateway.webdav.lock.DavLockHandler;
import org.pohmelfs.gateway.webdav.resource.DavContext;
import org.pohmelfs.gateway.webdav.resource.DavResourceFactory;
import org.pohmelfs.protocol.ObjectPath;
import org.springframework.http.HttpHeaders;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executor;
import org.pohmelfs.gateway.webdav.resource.Failures;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferLimitException;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Mono;

/**
 * Serves {@code /dav} and everything below it with Milton, off the event loop.
 *
 * <p>How it works: on the event loop the request is checked ({@link DavGuard}); an XML body
 * is collected (at most {@link XmlBodies#MAX}) and screened, any other body is left as a
 * stream. Then one virtual thread per request runs {@link HttpManager#process}, which blocks
 * freely (Milton keeps per-request ThreadLocals, and resources call FileService with
 * {@code block()}). The returned Mono completes once Milton has fixed the status and headers
 * and the response body, fed through a {@link BoundedPipe}, has been written.
 */
public final class DavWebFilter implements WebFilter {
    private static final Logger log = LoggerFactory.getLogger(DavWebFilter.class);
    /** How many times a GET whose file changed between Milton's lookup and the read is served at most. */
    static final int STALE_ATTEMPTS = 4;

    private final HttpManager manager;
    private final Executor executor;
    private final FileService files;
    private final DavLockHandler locks;
    /** GET and HEAD of small files without Milton, or null when switched off. */
    private final DavFastGet fastGet;
    private final java.util.concurrent.atomic.AtomicInteger active = new java.util.concurrent.atomic.AtomicInteger();

    public DavWebFilter(HttpManager manager, Executor virtualThreads, FileService files, DavLockHandler locks) {
        this(manager, virtualThreads, files, locks, true, null);
    }

    /**
     * @param fastGet GET and HEAD of small files without Milton ({@link DavFastGet})
     * @param lookups the resource factory whose lookup test hook also sees the fast path's lookups, or null
     */
    public DavWebFilter(HttpManager manager, Executor virtualThreads, FileService files, DavLockHandler locks,
                        boolean fastGet, DavResourceFactory lookups) {
        this.manager = manager;
        this.executor = virtualThreads;
        this.files = files;
        this.locks = locks;
        this.fastGet = fastGet ? new DavFastGet(files, lookups, HttpDates.system()) : null;
    }

    /**
     * {@code OPTIONS /}: Windows' WebClient and Office ask the server's root before they map or open
     * anything below it (also for {@code net use Z: https://host/dav}) and give up unless the answer
     * names DAV ({@code MS-Author-Via: DAV}). The root itself is no collection: only OPTIONS is allowed.
     */
    private static Mono<Void> rootOptions(ServerHttpResponse response) {
        response.setStatusCode(HttpStatus.OK);
        response.getHeaders().set("DAV", "1, 2");
        response.getHeaders().set("MS-Author-Via", "DAV");
        response.getHeaders().set("Allow", "OPTIONS");
        response.getHeaders().setContentLength(0);
        return response.setComplete();
    }

    /** Requests being processed by Milton on their virtual threads right now. */
    int active() {
        return active.get();
    }

    /** How many GET and HEAD requests the fast path answered (without Milton). */
    long fastAnswered() {
        return fastGet == null ? 0 : fastGet.answered();
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        ServerHttpRequest request = exchange.getRequest();
        String path = request.getPath().pathWithinApplication().value();
        if (path.equals("/") && request.getMethod() == org.springframework.http.HttpMethod.OPTIONS) {
            return rootOptions(exchange.getResponse());
        }
        if (!path.equals(DavGuard.PREFIX) && !path.startsWith(DavGuard.PREFIX + "/")) {
            return chain.filter(exchange);
        }
        ServerHttpResponse response = exchange.getResponse();
        DavGuard.Target target = DavGuard.target(request); // decoded once, for the checks and the fast path
        if (target.refusal() != null) {
            return refuse(response, target.refusal());
        }
        var refusal = DavGuard.checkHeaders(request);
        if (refusal.isPresent()) {
            return refuse(response, refusal.get());
        }
        String name = request.getMethod().name();
        Request.Method method;
        try {
            method = Request.Method.valueOf(name);
        } catch (IllegalArgumentException e) {
            return refuse(response, DavGuard.Refusal.of(HttpStatus.NOT_IMPLEMENTED, name + " is not supported"));
        }
        return exchange.getPrincipal().map(java.util.Optional::of).defaultIfEmpty(java.util.Optional.empty())
                .flatMap(who -> {
                    String principal = who.map(Principal::getName).orElse("");
                    PathView view = PathView.of(who.filter(Authentication.class::isInstance)
                            .map(a -> Accounts.of((Authentication) a)).orElse(Account.ANONYMOUS));
                    Mono<Void> milton = Mono.defer(() -> serve(request, response, method, principal, view));
                    if (fastGet != null && DavFastGet.eligible(request)) {
                        return fastGet.serve(request, response, view.inward(target.path()), () -> milton);
                    }
                    return milton;
                });
    }

    private Mono<Void> serve(ServerHttpRequest request, ServerHttpResponse response, Request.Method method,
                             String principal, PathView view) {
        String name = method.name();
        if (DavGuard.XML_METHODS.contains(name) || name.equals("MKCOL")) {
            return DataBufferUtils.join(request.getBody(), XmlBodies.MAX)
                    .map(DavWebFilter::bytes)
                    .defaultIfEmpty(new byte[0])
                    .flatMap(body -> {
                        if (name.equals("MKCOL") && body.length > 0) {
                            return refuse(response, DavGuard.Refusal.of(HttpStatus.UNSUPPORTED_MEDIA_TYPE,
                                    "MKCOL with a body is not supported"));
                        }
                        PatchOrder order = new PatchOrder();
                        String problem = XmlBodies.problem(body, order);
                        if (problem != null) {
                            return refuse(response, DavGuard.Refusal.of(HttpStatus.BAD_REQUEST, problem));
                        }
                        return process(request, response, method, body, new ByteArrayInputStream(body), order,
                                principal, view);
                    })
                    .onErrorResume(DataBufferLimitException.class, e -> refuse(response,
                            DavGuard.Refusal.of(HttpStatus.CONTENT_TOO_LARGE, "the XML body is too large")));
        }
        if (name.equals("UNLOCK")) {
            return process(request, response, method, new byte[0], InputStream.nullInputStream(), null, principal,
                    view);
        }
        return process(request, response, method, null, new RequestBodyStream(request.getBody()), null, principal,
                view);
    }

    private Mono<Void> process(ServerHttpRequest request, ServerHttpResponse response, Request.Method method,
                               byte[] bytes, InputStream body, PatchOrder order, String principal, PathView view) {
        MiltonRequest in = new MiltonRequest(request, method, body);
        if (order != null) {
            in.getAttributes().put(PatchOrder.ATTRIBUTE, order.result());
        }
        MiltonResponse out = new MiltonResponse(response, request.getMethod() == HttpMethod.HEAD);
        out.statusMapper(code -> Failures.statusToSend(code, in.getAttributes()));
        active.incrementAndGet();
        executor.execute(() -> {
            try {
                // The user's view is bound for everything below: Milton's lookups, hrefs, lock roots.
                ScopedValue.where(PathView.REQUEST, view).<Void, Exception>call(() -> {
                    serve(request, method, bytes, in, out, principal);
                    return null;
                });
                out.finish();
            } catch (Throwable t) {
                log.warn("WebDAV {} {} failed: {}", method, request.getPath(), t.toString());
                out.abort(t);
            } finally {
                active.decrementAndGet();
                try {
                    body.close();
                } catch (java.io.IOException ignored) {
                    // nothing to release
                }
            }
        });
        // However the exchange ends, nobody reads the pipe afterwards. Without this, a client that
        // left before the headers were committed (so before the pipe was subscribed) left Milton's
        // thread waiting in send() for a credit forever, and the executor's close (shutdown) with it.
        return out.committed().then(Mono.defer(() -> response.writeWith(out.pipe().flux())))
                .doFinally(signal -> out.pipe().cancel());
    }

    /**
     * On the request's virtual thread: the If header first (400 malformed, 412 false), then
     * LOCK/UNLOCK here, anything else in Milton with the submitted tokens bound to the request.
     */
    private void serve(ServerHttpRequest request, Request.Method method, byte[] bytes, MiltonRequest in,
                       MiltonResponse out, String principal) throws Exception {
        ObjectPath path = PathView.current().inward(
                PathCodec.decode(DavGuard.relative(request.getPath().pathWithinApplication().value())));
        HttpHeaders headers = request.getHeaders();
        DavLockHandler.Verdict verdict = locks.evaluateIf(headers.getFirst("If"), path);
        if (verdict.refusal() != null) {
            answer(out, verdict.refusal());
            return;
        }
        switch (method) {
            case LOCK -> answer(out, locks.lock(path, bytes, headers.getFirst("Depth"), headers.getFirst("Timeout"),
                    principal, verdict.tokens()));
            case UNLOCK -> answer(out, locks.unlock(path, headers.getFirst("Lock-Token"), principal));
            default -> {
                var lockedOut = new java.util.concurrent.atomic.AtomicReference<String>();
                Throwable failure = null;
                for (int attempt = 1; ; attempt++) {
                    failure = ScopedValue.where(DavContext.REQUEST_FILES,
                                    files.withTokens(principal, verdict.tokens()))
                            .where(DavContext.LOCKED_OUT, lockedOut)
                            .<Throwable, RuntimeException>call(() -> {
                                try {
                                    manager.process(in, out);
                                    return null;
                                } catch (RuntimeException | Error e) {
                                    return e;
                                }
                            });
                    if (in.getAttributes().remove(Failures.STALE) == null) {
                        break;
                    }
                    // A GET met another version (or none) than the one Milton looked up.
                    if (!out.reset()) {
                        // bytes of the old version are on the wire: cut the connection, never mix two
                        throw new IllegalStateException(path + " changed while it was sent", failure);
                    }
                    if (attempt == STALE_ATTEMPTS) {
                        out.setStatus(io.milton.http.Response.Status.SC_SERVICE_UNAVAILABLE);
                        out.setNonStandardHeader(HttpHeaders.RETRY_AFTER, "1");
                        out.setContentTypeHeader("text/plain; charset=utf-8");
                        out.getOutputStream().write((PathView.current().outward(path)
                                + " keeps changing while it is read; retry\n")
                                .getBytes(StandardCharsets.UTF_8));
                        return;
                    }
                    // nothing sent yet: serve it again, from a fresh lookup, as if it came now
                    in.getAttributes().remove(DavResourceFactory.LOOKUPS);
                    in.getAttributes().remove(Failures.STATUS_HINT);
                    in.getAttributes().remove(Failures.STATUS_OVERRIDE);
                }
                if (lockedOut.get() != null && out.reset()) {
                    answer(out, locks.lockedOut(path, method.name(), principal, verdict.tokens()));
                } else if (failure instanceof Error err) {
                    throw err;
                } else if (failure != null) {
                    throw (RuntimeException) failure;
                }
            }
        }
    }

    private static void answer(MiltonResponse out, DavLockHandler.Answer answer) throws java.io.IOException {
        out.setStatus(io.milton.http.Response.Status.fromCode(answer.status().value()));
        answer.headers().forEach(out::setNonStandardHeader);
        // XML bodies name view paths already (hrefs); plain texts may carry a node's message with real paths
        byte[] body = answer.xml() ? answer.bytes()
                : PathView.current().hide(answer.body()).getBytes(StandardCharsets.UTF_8);
        out.setContentTypeHeader(answer.xml() ? "application/xml; charset=utf-8" : "text/plain; charset=utf-8");
        out.setContentLengthHeader((long) body.length);
        out.getOutputStream().write(body);
    }

    private static byte[] bytes(DataBuffer buffer) {
        try {
            byte[] bytes = new byte[buffer.readableByteCount()];
            buffer.read(bytes);
            return bytes;
        } finally {
            DataBufferUtils.release(buffer);
        }
    }

    /** Answers a refusal without Milton: a DAV:error body for a precondition, else plain text. */
    static Mono<Void> refuse(ServerHttpResponse response, DavGuard.Refusal refusal) {
        response.setStatusCode(refusal.status());
        byte[] body;
        if (refusal.precondition() != null) {
            response.getHeaders().setContentType(MediaType.APPLICATION_XML);
            body = ("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<D:error xmlns:D=\"DAV:\"><D:"
                    + refusal.precondition() + "/></D:error>\n").getBytes(StandardCharsets.UTF_8);
        } else {
            response.getHeaders().setContentType(MediaType.TEXT_PLAIN);
            body = (refusal.detail() + "\n").getBytes(StandardCharsets.UTF_8);
        }
        response.getHeaders().setContentLength(body.length);
        return response.writeWith(Mono.just(response.bufferFactory().wrap(body)));
    }
}
