package org.pohmelfs.gateway.webdav;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;
import org.springframework.core.io.buffer.DataBuffer;

class BoundedPipeTest {

    /**
     * The writer usually waits for a credit before the reader subscribes (Milton starts
     * writing as soon as the response is committed). The first credit must not reach it
     * before the sink is attached: that raced and failed a GET with a NullPointerException
     * (found by DavBench, 1 in ~5,000 GETs at c=16).
     */
    @Test
    void aWriterWaitingBeforeTheSubscriptionAlwaysDelivers() throws Exception {
        try (var writers = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int round = 0; round < 3_000; round++) {
                BoundedPipe pipe = new BoundedPipe();
                byte[] chunk = ("chunk " + round).getBytes(StandardCharsets.UTF_8);
                CompletableFuture<Void> written = CompletableFuture.runAsync(() -> {
                    try {
                        pipe.send(chunk, chunk.length);
                        pipe.complete();
                    } catch (Exception e) {
                        pipe.fail(e);
                        throw new IllegalStateException(e);
                    }
                }, writers);
                List<String> got = pipe.flux()
                        .map(BoundedPipeTest::text)
                        .collectList()
                        .block(Duration.ofSeconds(10));
                written.get();
                assertThat(got).containsExactly("chunk " + round);
            }
        }
    }

    @Test
    void aCancelledReaderEndsTheWriter() throws Exception {
        BoundedPipe pipe = new BoundedPipe();
        pipe.flux().take(1).subscribe();
        byte[] one = {1};
        pipe.send(one, 1);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> pipe.send(one, 1))
                .isInstanceOf(java.io.IOException.class);
    }

    @Test
    void aPipeNobodyWillReadEndsAWaitingWriter() throws Exception {
        BoundedPipe pipe = new BoundedPipe();
        byte[] one = {1};
        try (var writers = Executors.newVirtualThreadPerTaskExecutor()) {
            CompletableFuture<Void> written = CompletableFuture.runAsync(() -> {
                try {
                    pipe.send(one, 1);
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }, writers);
            // the writer waits for a credit (the pipe is never subscribed)
            org.awaitility.Awaitility.await().during(Duration.ofMillis(100)).atMost(Duration.ofSeconds(5))
                    .until(() -> !written.isDone());
            pipe.cancel();
            pipe.cancel(); // idempotent
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> written.get(10, java.util.concurrent.TimeUnit.SECONDS))
                    .hasCauseInstanceOf(java.io.UncheckedIOException.class);
        }
    }

    private static String text(DataBuffer buffer) {
        return buffer.toString(StandardCharsets.UTF_8);
    }
}
