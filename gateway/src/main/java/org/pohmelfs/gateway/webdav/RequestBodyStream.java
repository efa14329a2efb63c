package org.pohmelfs.gateway.webdav;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.util.concurrent.LinkedBlockingQueue;
import org.reactivestreams.Subscription;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import reactor.core.CoreSubscriber;
import reactor.core.publisher.Flux;

/**
 * A request body (a Flux of buffers) read as a blocking InputStream, with backpressure:
 * at most {@link #WINDOW} buffers are requested ahead of the reader, so a large PUT is
 * never held in memory. Each buffer is copied out and released as it arrives. Read it from
 * a virtual thread only.
 */
final class RequestBodyStream extends InputStream implements CoreSubscriber<DataBuffer> {
    static final int WINDOW = 4;
    private static final byte[] END = new byte[0];

    private final Flux<DataBuffer> body;
    private final LinkedBlockingQueue<Object> queue = new LinkedBlockingQueue<>();
    private volatile Subscription subscription;
    private boolean subscribed;
    private byte[] current;
    private int position;
    private boolean ended;
    /** Set by {@link #close()}: what still arrives (already in flight) is released unread. */
    private volatile boolean draining;

    RequestBodyStream(Flux<DataBuffer> body) {
        this.body = body;
    }

    @Override
    public void onSubscribe(Subscription s) {
        subscription = s;
        s.request(WINDOW);
    }

    @Override
    public void onNext(DataBuffer buffer) {
        try {
            if (draining) {
                return;
            }
            byte[] bytes = new byte[buffer.readableByteCount()];
            buffer.read(bytes);
            queue.add(bytes);
        } finally {
            DataBufferUtils.release(buffer);
        }
    }

    @Override
    public void onError(Throwable t) {
        queue.add(t);
    }

    @Override
    public void onComplete() {
        queue.add(END);
    }

    private boolean fill() throws IOException {
        while (current == null || position == current.length) {
            if (ended) {
                return false;
            }
            if (!subscribed) {
                subscribed = true;
                body.subscribe(this);
            } else if (current != null) {
                subscription.request(1);
            }
            Object next;
            try {
                next = queue.take();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while reading the request body");
            }
            if (next instanceof Throwable t) {
                ended = true;
                throw new IOException("the request body failed: " + t.getMessage(), t);
            }
            if (next == END) {
                ended = true;
                return false;
            }
            current = (byte[]) next;
            position = 0;
        }
        return true;
    }

    @Override
    public int read() throws IOException {
        if (!fill()) {
            return -1;
        }
        return current[position++] & 0xFF;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        if (!fill()) {
            return -1;
        }
        int n = Math.min(len, current.length - position);
        System.arraycopy(current, position, b, off, n);
        position += n;
        return n;
    }

    @Override
    public void close() {
        ended = true;
        draining = true;
        Subscription s = subscription;
        if (s != null) {
            // What Milton left unread is not wanted: Reactor Netty drops the rest of the body
            // (after the answer, it reads and releases it) and the connection goes on to its
            // next request (EarlyAnswerKeepAliveTest). The keep-alive hang once blamed on this
            // cancel was reactor/reactor-netty#4361 (see http.ReadRearmHandler).
            s.cancel();
        }
        queue.clear();
    }
}
