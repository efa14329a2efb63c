package org.pohmelfs.gateway.webdav;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import org.pohmelfs.gateway.files.FileException;
import org.pohmelfs.gateway.files.FileService;
import org.pohmelfs.gateway.http.HttpDates;
import org.pohmelfs.gateway.http.Preconditions;
import org.pohmelfs.gateway.webdav.resource.FileResource;
import org.pohmelfs.protocol.Attr;
import org.pohmelfs.protocol.ErrorCode;
import org.pohmelfs.protocol.ObjectPath;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.pohmelfs.gateway.webdav.resource.DavResourceFactory;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * GET and HEAD of a small file straight from the file service (the coherent cache when the
 * node grants leases), on the event loop, without Milton, its virtual thread and its pipe.
 *
 * <p>Contract: a request this class serves gets what Milton would send for it (status 200,
 * the same ETag, Last-Modified, Content-Type, Content-Length, Accept-Ranges, and Milton's
 * {@code Cache-Control: no-cache} on GET), except that conditional headers are honoured as
 * RFC 9110 section 13.2.2 says (304 and 412, as REST does; Milton's GET ignores them). Anything
 * else goes to Milton unchanged: a request with an {@code If} header (WebDAV lock tokens and
 * state), a Range or If-Range, a file larger than {@link #MAX_BYTES}, a folder, a missing
 * path, and a file that changed between the lookup and the read. It runs after Spring
 * Security and the read-only filter, like Milton, so authentication and authorization are
 * the same; a WebDAV lock never refuses a read, so there is no lock state to check.
 */
final class DavFastGet {
    /** Larger files go to Milton, which streams them. */
    static final int MAX_BYTES = 64 * 1024;

    /** What to do with a GET or HEAD. */
    enum Decision { MILTON, NOT_MODIFIED, FAILED, SERVE }

    private final FileService files;
    /** Its lookup test hook is told of the fast path's lookups too (null: none). */
    private final DavResourceFactory lookups;
    /** Requests answered here (200, 304, 412), for tests and diagnostics. */
    private final java.util.concurrent.atomic.LongAdder answered = new java.util.concurrent.atomic.LongAdder();

    /** Date and Last-Modified texts. */
    private final HttpDates dates;

    DavFastGet(FileService files, DavResourceFactory lookups, HttpDates dates) {
        this.files = files;
        this.lookups = lookups;
        this.dates = dates;
    }

    /** Whether the request may take the fast path at all: GET or HEAD without an If header. */
    static boolean eligible(ServerHttpRequest request) {
        HttpMethod m = request.getMethod();
        return (m == HttpMethod.GET || m == HttpMethod.HEAD) && !request.getHeaders().containsHeader("If");
    }

    /** Pure: the decision for a GET or HEAD with these headers of an object with {@code attr} (null: missing). */
    static Decision decide(HttpHeaders headers, Attr attr) {
        if (attr == null || attr.isDirectory()) {
            return Decision.MILTON;
        }
        switch (Preconditions.evaluate(headers, attr, true)) {
            case NOT_MODIFIED -> {
                return Decision.NOT_MODIFIED;
            }
            case FAILED -> {
                return Decision.FAILED;
            }
            case PROCEED -> {
                // serve below, or leave it to Milton
            }
        }
        if (headers.containsHeader(HttpHeaders.RANGE) || headers.containsHeader(HttpHeaders.IF_RANGE)
                || attr.size() > MAX_BYTES) {
            return Decision.MILTON;
        }
        return Decision.SERVE;
    }

    /**
     * Serves the request, or hands it to {@code milton} (subscribed at most once, never after
     * anything was written).
     */
    Mono<Void> serve(ServerHttpRequest request, ServerHttpResponse response, ObjectPath path,
                     Supplier<Mono<Void>> milton) {
        HttpHeaders in = request.getHeaders();
        boolean get = request.getMethod() == HttpMethod.GET;
        boolean hooked = lookups != null && lookups.observed();
        if (!hooked) {
            // Hot: attributes under a lease in the cache, answered without a reactive chain of our own
            Optional<Optional<Attr>> cached = files.findCached(path);
            if (cached.isPresent()) {
                return answer(response, path, in, get, cached.get().orElse(null), milton);
            }
        }
        Mono<Optional<Attr>> lookup = files.find(path).map(Optional::of).defaultIfEmpty(Optional.empty());
        if (hooked) {
            // a test's hook: may change the tree between this lookup and the read, and blocks
            lookup = lookup.flatMap(found -> Mono.fromCallable(() -> {
                lookups.lookedUp(path, found.orElse(null));
                return found;
            }).subscribeOn(Schedulers.boundedElastic()));
        }
        return lookup.flatMap(found -> answer(response, path, in, get, found.orElse(null), milton))
                .onErrorResume(org.pohmelfs.client.NodeException.class, e -> unavailable(response, e));
    }

    /** A node that failed before anything was sent: as the REST API and Milton's path answer it. */
    private static Mono<Void> unavailable(ServerHttpResponse response, org.pohmelfs.client.NodeException e) {
        if (response.isCommitted()) {
            return Mono.error(e);
        }
        return e instanceof org.pohmelfs.client.NodeException.HandshakeRefused
                ? DavWebFilter.refuse(response, DavGuard.Refusal.of(HttpStatus.BAD_GATEWAY,
                        "storage node refused the connection: " + e.getMessage()))
                : DavWebFilter.refuse(response, DavGuard.Refusal.of(HttpStatus.SERVICE_UNAVAILABLE,
                        "storage node unavailable: " + e.getMessage()));
    }

    /** The answer for {@code attr} (null: missing), looked up just now. */
    private Mono<Void> answer(ServerHttpResponse response, ObjectPath path, HttpHeaders in, boolean get, Attr attr,
                              Supplier<Mono<Void>> milton) {
        Decision decision = decide(in, attr);
        if (decision != Decision.MILTON && decision != Decision.SERVE) {
            answered.increment();
        }
        return switch (decision) {
            case MILTON -> milton.get();
            case FAILED -> DavWebFilter.refuse(response, DavGuard.Refusal.of(HttpStatus.PRECONDITION_FAILED,
                    "the precondition on " + path + " does not hold"));
            case NOT_MODIFIED -> {
                response.setStatusCode(HttpStatus.NOT_MODIFIED);
                validators(response.getHeaders(), attr, get);
                yield response.setComplete();
            }
            case SERVE -> {
                Optional<ByteBuffer> hot = files.readCached(path, attr);
                if (hot.isPresent()) {
                    yield send(response, path, attr, get, hot.get());
                }
                yield files.read(path, attr, 0, attr.size()).collectList()
                        .map(Optional::of)
                        .onErrorResume(e -> e instanceof FileException f
                                && (f.code() == ErrorCode.ABORTED || f.code() == ErrorCode.NOT_FOUND),
                                e -> Mono.just(Optional.empty())) // changed since the lookup: Milton retries
                        .flatMap(chunks -> chunks.isEmpty() ? milton.get() : send(response, path, attr, get,
                                chunks.get().size() == 1 ? chunks.get().getFirst() : join(chunks.get())))
                        .onErrorResume(org.pohmelfs.client.NodeException.class, e -> unavailable(response, e));
            }
        };
    }

    long answered() {
        return answered.sum();
    }

    private Mono<Void> send(ServerHttpResponse response, ObjectPath path, Attr attr, boolean get, ByteBuffer bytes) {
        answered.increment();
        response.setStatusCode(HttpStatus.OK);
        HttpHeaders out = response.getHeaders();
        out.set(HttpHeaders.ACCEPT_RANGES, "bytes");
        validators(out, attr, get);
        out.set(HttpHeaders.CONTENT_TYPE, FileResource.contentType(path));
        out.setContentLength(attr.size());
        // HEAD: WebFlux's HEAD decorator drops the body and keeps the Content-Length set here
        DataBuffer body = response.bufferFactory().wrap(bytes);
        return response.writeWith(Mono.just(body));
    }

    /** The headers Milton sends with a file's GET (and a 304 repeats). */
    private void validators(HttpHeaders out, Attr attr, boolean get) {
        // the texts HttpHeaders.setDate/setETag/setLastModified write, formatted once per second
        out.set(HttpHeaders.DATE, dates.now());
        out.set(HttpHeaders.ETAG, attr.etag());
        out.set(HttpHeaders.LAST_MODIFIED, dates.of(Preconditions.lastModified(attr).getEpochSecond()));
        if (get) {
            out.setCacheControl("no-cache");
        }
    }

    private static ByteBuffer join(List<ByteBuffer> chunks) {
        int n = 0;
        for (ByteBuffer b : chunks) {
            n += b.remaining();
        }
        ByteBuffer all = ByteBuffer.allocate(n);
        for (ByteBuffer b : chunks) {
            all.put(b.duplicate());
        }
        return all.flip();
    }
}
