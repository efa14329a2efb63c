package org.pohmelfs.gateway.webdav;

import io.milton.http.AbstractResponse;
import io.milton.http.Cookie;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.server.reactive.ServerHttpResponse;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * Milton's response over a WebFlux {@link ServerHttpResponse}. Milton sets the status and
 * headers, then writes the body to {@link #getOutputStream()} from its virtual thread.
 *
 * <p>The first {@value #SMALL} bytes are held back: a response that ends within them (every
 * error, most PROPFINDs) is sent whole with a Content-Length. A longer one is committed when
 * the threshold is passed and streams through a {@link BoundedPipe}; GETs carry Milton's
 * Content-Length. {@link #committed()} completes when the status and headers are final.
 */
final class MiltonResponse extends AbstractResponse {
    static final int SMALL = 64 * 1024;

    private final ServerHttpResponse target;
    private final boolean head;
    private final Map<String, String> headers = new LinkedHashMap<>();
    private final BoundedPipe pipe = new BoundedPipe();
    private final Sinks.One<Void> committed = Sinks.one();
    private final Body body = new Body();
    private Status status = Status.SC_OK;
    private java.util.function.IntUnaryOperator statusMapper = code -> code;
    private boolean isCommitted;

    MiltonResponse(ServerHttpResponse target, boolean head) {
        this.target = target;
        this.head = head;
    }

    /** Completes once the status and headers are copied to the WebFlux response. */
    Mono<Void> committed() {
        return committed.asMono();
    }

    BoundedPipe pipe() {
        return pipe;
    }

    /**
     * Maps the status Milton chose to the one sent, for statuses Milton cannot express (507, 503
     * and 416 left by a resource in request attributes); applied once, when the headers commit.
     */
    void statusMapper(java.util.function.IntUnaryOperator mapper) {
        this.statusMapper = mapper;
    }

    @Override
    public Status getStatus() {
        return status;
    }

    @Override
    public void setStatus(Status status) {
        this.status = status;
    }

    @Override
    public Map<String, String> getHeaders() {
        return headers;
    }

    @Override
    public void setNonStandardHeader(String name, String value) {
        if (name.equalsIgnoreCase("Server")) {
            return; // no version banner
        }
        String existing = headers.keySet().stream().filter(name::equalsIgnoreCase).findFirst().orElse(name);
        if (value == null) {
            headers.remove(existing);
        } else {
            headers.remove(existing);
            headers.put(name, value);
        }
    }

    @Override
    public String getNonStandardHeader(String name) {
        return headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name))
                .map(Map.Entry::getValue).findFirst().orElse(null);
    }

    /**
     * Milton takes a Range's end as given; a range that runs past the end of the file is cut
     * to the file (RFC 9110 section 14.1.2), with the Content-Length to match.
     */
    @Override
    public void setContentRangeHeader(long start, long finish, Long totalLength) {
        long end = totalLength != null && finish >= totalLength ? totalLength - 1 : finish;
        super.setContentRangeHeader(start, end, totalLength);
    }

    @Override
    public void setContentLengthHeader(Long length) {
        String range = getNonStandardHeader(Header.CONTENT_RANGE.code);
        if (status == Status.SC_PARTIAL_CONTENT && range != null && length != null) {
            length = RangeHeaders.length(range, length);
        }
        super.setContentLengthHeader(length);
    }

    @Override
    public void setAuthenticateHeader(List<String> challenges) {
        if (challenges != null && !challenges.isEmpty()) {
            setNonStandardHeader("WWW-Authenticate", String.join(", ", challenges));
        }
    }

    @Override
    public OutputStream getOutputStream() {
        return body;
    }

    @Override
    public void close() {
        // the body ends when Milton's processing returns (see finish)
    }

    @Override
    public void sendError(Status status, String message) {
        setStatus(status);
        setContentTypeHeader("text/plain; charset=utf-8");
        try {
            body.write((message == null ? status.toString() : message).getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            // the client went away
        }
    }

    @Override
    public void sendPermanentRedirect(String url) {
        setStatus(Status.SC_MOVED_PERMANENTLY);
        setLocationHeader(url);
    }

    @Override
    public Cookie setCookie(Cookie cookie) {
        return cookie; // the WebDAV front end sets no cookies
    }

    @Override
    public Cookie setCookie(String name, String value) {
        return null;
    }

    /** Called once when Milton is done: sends what is held back and ends the body. */
    void finish() throws IOException {
        if (!isCommitted && status == Status.SC_MULTI_STATUS) {
            byte[] fixed = NullNamespaceFix.apply(body.buffer, body.held);
            if (fixed != null && fixed.length <= SMALL) {
                body.buffer = java.util.Arrays.copyOf(fixed, SMALL);
                body.held = fixed.length;
                setContentLengthHeader((long) fixed.length);
            }
        }
        body.flushHeld(true);
        pipe.complete();
    }

    /** Forgets the status, headers and body written so far, if nothing was sent yet. */
    synchronized boolean reset() {
        if (isCommitted) {
            return false;
        }
        status = Status.SC_OK;
        headers.clear();
        body.held = 0;
        return true;
    }

    /** Processing failed: a 500 if nothing was sent yet, otherwise the body is cut short. */
    void abort(Throwable failure) {
        synchronized (this) {
            if (!isCommitted) {
                status = Status.SC_INTERNAL_SERVER_ERROR;
                headers.clear();
                body.held = 0;
                commit(0L);
                pipe.complete();
                return;
            }
        }
        pipe.fail(failure);
    }

    private synchronized void commit(Long knownLength) {
        if (isCommitted) {
            return;
        }
        isCommitted = true;
        int code = statusMapper.applyAsInt(status.code);
        if (code == 503 && status.code != 503) {
            headers.put(HttpHeaders.RETRY_AFTER, "1");
        }
        target.setStatusCode(HttpStatusCode.valueOf(code));
        HttpHeaders out = target.getHeaders();
        headers.forEach((name, value) -> {
            if (!value.isEmpty() || name.equalsIgnoreCase(HttpHeaders.CONTENT_LENGTH)) {
                out.set(name, value);
            }
        });
        if (out.getFirst(HttpHeaders.CONTENT_LENGTH) == null || out.getFirst(HttpHeaders.CONTENT_LENGTH).isEmpty()) {
            out.remove(HttpHeaders.CONTENT_LENGTH);
            if (knownLength != null && !head) {
                out.setContentLength(knownLength);
            }
        }
        committed.tryEmitEmpty();
    }

    /** The body: held back up to SMALL bytes, then streamed in chunks of SMALL bytes. */
    private final class Body extends OutputStream {
        private byte[] buffer = new byte[SMALL];
        private int held;

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            while (len > 0) {
                if (held == buffer.length) {
                    flushHeld(false);
                }
                int n = Math.min(len, buffer.length - held);
                System.arraycopy(b, off, buffer, held, n);
                held += n;
                off += n;
                len -= n;
            }
        }

        /** Sends the held bytes (committing first); with {@code last}, the length is known. */
        void flushHeld(boolean last) throws IOException {
            commit(last ? (long) held : null);
            if (held > 0) {
                byte[] full = buffer;
                int length = held;
                buffer = new byte[SMALL];
                held = 0;
                pipe.send(full, length);
            }
        }
    }
}
