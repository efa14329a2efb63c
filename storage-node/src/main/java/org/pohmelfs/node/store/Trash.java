package org.pohmelfs.node.store;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The trash folder in the state folder. A deletion (or a replaced rename/copy target) moves the
 * tree here in one rename, which is what makes it visible at once and undoable; once the
 * transaction is decided the tree is removed on a background thread, and only then are its
 * bytes and objects taken off the usage. Also holds undo side files (large saved ranges).
 */
final class Trash implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Trash.class);

    private final Path dir;
    private final Path undoDir;
    private final Usage usage;
    private final AtomicLong seq = new AtomicLong();
    private final ExecutorService purger = Executors.newSingleThreadExecutor(Thread.ofVirtual().name("trash-purger").factory());

    Trash(Path stateDir, Usage usage) throws IOException {
        this.dir = Files.createDirectories(stateDir.resolve("trash"));
        this.undoDir = Files.createDirectories(stateDir.resolve("undo"));
        this.usage = usage;
    }

    /** A fresh name in the trash, unique across restarts because the version is. */
    Path newEntry(long version) {
        return dir.resolve("t" + Long.toHexString(version) + "-" + seq.incrementAndGet());
    }

    Path newSideFile(long version) {
        return undoDir.resolve("u" + Long.toHexString(version) + "-" + seq.incrementAndGet());
    }

    /**
     * Removes decided entries in the background; with {@code counted} what they held is taken
     * off the usage (trash), without it not (undo side files).
     */
    void purge(List<Path> entries, boolean counted) {
        if (!entries.isEmpty()) {
            List<Path> copy = List.copyOf(entries);
            purger.execute(() -> {
                for (Path p : copy) {
                    remove(p, counted);
                }
            });
        }
    }

    private void remove(Path p, boolean counted) {
        try {
            Trees.Size s = Trees.deleteTree(p);
            if (counted) {
                usage.add(-s.bytes(), -s.objects());
            }
        } catch (IOException e) {
            log.warn("could not remove {}", p, e);
        }
    }

    /** Removes everything in trash and undo folders (at start-up, after recovery): not counted in usage. */
    void purgeAllUncounted() throws IOException {
        List<Path> all = new ArrayList<>();
        for (Path d : List.of(dir, undoDir)) {
            try (Stream<Path> s = Files.list(d)) {
                s.forEach(all::add);
            }
        }
        purge(all, false);
    }

    /** Blocks until every purge submitted so far is done (tests, shutdown). */
    void awaitIdle() {
        try {
            purger.submit(() -> { }).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (java.util.concurrent.ExecutionException e) {
            log.warn("trash purger failed", e);
        }
    }

    @Override
    public void close() {
        purger.shutdown();
        try {
            if (!purger.awaitTermination(30, TimeUnit.SECONDS)) {
                log.warn("trash purger still busy at close");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
