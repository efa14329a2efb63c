package org.pohmelfs.node.server;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Executor;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * Runs blocking file-system work on virtual threads, at most {@code concurrency} at a time:
 * a file-system call pins its carrier thread, so an unbounded number would only queue in the
 * kernel while starving everything else. Tasks beyond the bound wait (cheaply, as parked
 * virtual threads) for a permit.
 */
public final class IoExecutor implements Executor, AutoCloseable {
    private final ExecutorService threads = Executors.newThreadPerTaskExecutor(
            Thread.ofVirtual().name("node-io-", 0).factory());
    private final Semaphore permits;

    public IoExecutor(int concurrency) {
        if (concurrency < 1) {
            throw new IllegalArgumentException("io concurrency must be at least 1");
        }
        this.permits = new Semaphore(concurrency);
    }

    @Override
    public void execute(Runnable task) {
        threads.execute(() -> {
            permits.acquireUninterruptibly();
            try {
                task.run();
            } finally {
                permits.release();
            }
        });
    }

    /** Stops taking tasks and waits up to {@code seconds} for running ones. */
    public void shutdown(long seconds) throws InterruptedException {
        threads.shutdown();
        threads.awaitTermination(seconds, TimeUnit.SECONDS);
    }

    @Override
    public void close() {
        threads.close();
    }
}
