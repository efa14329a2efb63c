package org.pohmelfs.gateway.webdav;

import io.milton.http.HttpManager;
import io.milton.http.Request;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
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

    private final HttpManager manager;
    private final Executor executor;

    public DavWebFilter(HttpManager manager, Executor virtualThreads) {
        this.manager = manager;
        this.executor = virtualThreads;
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        ServerHttpRequest request = exchange.getRequest();
        String path = request.getPath().pathWithinApplication().value();
        if (!path.equals(DavGuard.PREFIX) && !path.startsWith(DavGuard.PREFIX + "/")) {
            return chain.filter(exchange);
        }
        ServerHttpResponse response = exchange.getResponse();
        var refusal = DavGuard.check(request);
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
                        return process(request, response, method, new ByteArrayInputStream(body), order);
                    })
                    .onErrorResume(DataBufferLimitException.class, e -> refuse(response,
                            DavGuard.Refusal.of(HttpStatus.CONTENT_TOO_LARGE, "the XML body is too large")));
        }
        return process(request, response, method, new RequestBodyStream(request.getBody()), null);
    }

    private Mono<Void> process(ServerHttpRequest request, ServerHttpResponse response, Request.Method method,
                               InputStream body, PatchOrder order) {
        MiltonRequest in = new MiltonRequest(request, method, body);
        if (order != null) {
            in.getAttributes().put(PatchOrder.ATTRIBUTE, order.result());
        }
        MiltonResponse out = new MiltonResponse(response, request.getMethod() == HttpMethod.HEAD);
        out.statusMapper(code -> Failures.statusToSend(code, in.getAttributes()));
        executor.execute(() -> {
            try {
                manager.process(in, out);
                out.finish();
            } catch (Throwable t) {
                log.warn("WebDAV {} {} failed: {}", method, request.getPath(), t.toString());
                out.abort(t);
            } finally {
                try {
                    body.close();
                } catch (java.io.IOException ignored) {
                    // nothing to release
                }
            }
        });
        return out.committed().then(Mono.defer(() -> response.writeWith(out.pipe().flux())));
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
