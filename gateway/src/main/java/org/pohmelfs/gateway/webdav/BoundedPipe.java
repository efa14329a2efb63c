package org.pohmelfs.gateway.webdav;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.FluxSink;

/**
 * A bounded hand-over of response bytes from a blocking writer (a virtual thread running
 * Milton) to a reactive reader (Reactor Netty writing the response).
 *
 * <p>The writer may only emit a chunk when the reader has requested one: {@link #send} waits
 * for a credit, and credits come only from the reader's demand. So at most the reader's
 * prefetch (Reactor Netty asks for a bounded batch) is held in memory, however large the
 * body is. A cancelled reader (client gone) makes every later {@link #send} fail, which
 * ends the writer.
 */
final class BoundedPipe {
    /** Demand at or above this is treated as unbounded. */
    private static final long UNBOUNDED = Integer.MAX_VALUE / 4;

    private final Semaphore credits = new Semaphore(0);
    private volatile boolean unbounded;
    private final AtomicBoolean cancelled = new AtomicBoolean();
    private FluxSink<DataBuffer> sink;
    private Throwable failure;
    private boolean completed;

    /** The body as a Flux; subscribe once. */
    Flux<DataBuffer> flux() {
        return Flux.create(s -> {
            // Attach first: onRequest runs its consumer at once with the demand already made
            // (the subscriber requests before this lambda runs), which wakes a waiting writer.
            attach(s);
            s.onRequest(n -> {
                if (n >= UNBOUNDED) {
                    unbounded = true;
                    credits.release(Integer.MAX_VALUE / 8);
                } else {
                    credits.release((int) n);
                }
            });
            s.onDispose(this::cancel);
        });
    }

    /**
     * Nobody will read any more: the reader was cancelled, or the exchange ended before it ever
     * subscribed (the client went away while Milton was still working). A waiting or later
     * {@link #send} fails instead of waiting for a credit that never comes. Idempotent.
     */
    void cancel() {
        if (cancelled.compareAndSet(false, true)) {
            credits.release(Integer.MAX_VALUE / 8);
        }
    }

    private synchronized void attach(FluxSink<DataBuffer> s) {
        sink = s;
        if (failure != null) {
            s.error(failure);
        } else if (completed) {
            s.complete();
        }
    }

    /** Hands one chunk to the reader, waiting until it asks for one. The array is not copied. */
    void send(byte[] chunk, int length) throws IOException {
        if (!unbounded) {
            try {
                credits.acquire();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while sending a response");
            }
        }
        if (cancelled.get()) {
            throw new IOException("the client went away");
        }
        DataBuffer buffer = DefaultDataBufferFactory.sharedInstance.wrap(chunk).readPosition(0).writePosition(length);
        FluxSink<DataBuffer> s;
        synchronized (this) {
            s = sink;
        }
        s.next(buffer);
    }

    synchronized void complete() {
        completed = true;
        if (sink != null) {
            sink.complete();
        }
    }

    synchronized void fail(Throwable t) {
        failure = t;
        if (sink != null) {
            sink.error(t);
        }
    }
}
