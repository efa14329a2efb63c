package org.pohmelfs.gateway.cache;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.RemovalCause;
import com.github.benmanes.caffeine.cache.stats.ConcurrentStatsCounter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.cache.CaffeineCacheMetrics;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.pohmelfs.protocol.ObjectPath;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * The content cache's optional second tier (design.md §3.5): blocks kept as files in a folder,
 * under the same keys as {@link ContentCache} (path, version, block index) and so, like it,
 * never stale. Bounded by the bytes of its files; the least valuable go first (Caffeine's
 * W-TinyLFU, a removal deletes the file).
 *
 * <p>Contract: {@link #get} completes with the block's bytes, verified (length, key and CRC32C,
 * see {@link BlockFile}), or empty; it never fails. {@link #offer} never blocks and never fails:
 * the block is written later, or skipped when writes are behind or failing. Nothing here ever
 * fails a client's read. The folder is emptied when the tier opens (its content is not trusted
 * across restarts); an unusable folder turns the tier off, with one WARN.
 *
 * <p>How it works. Files are written by one writer thread: the block is written to a temporary
 * file in its sub-folder, then renamed to its name inside the Caffeine entry's atomic compute, and
 * Caffeine's eviction listener (atomic for its key too) deletes an evicted entry's file, so a
 * key's file and its entry come and go together. With one writer the folder holds at most the
 * bound plus the one block being written. Reads run on {@link Schedulers#boundedElastic()}, never
 * on an event loop; a read that finds a damaged or missing file drops the entry and reports a
 * miss. The entry check before a read ({@code containsKey}) touches no file and does no cache
 * maintenance, so a miss costs no thread hop.
 */
public final class DiskTier implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(DiskTier.class);
    /** Block bytes waiting for the writer; past this, offered blocks are skipped. */
    static final long MAX_PENDING_BYTES = 32L * 1024 * 1024;

    /**
     * Where and how much.
     *
     * @param dir         the folder (created if missing, emptied at start)
     * @param maxBytes    bound on the bytes of the files (headers included)
     * @param maxFileSize blocks of larger files are not kept
     */
    public record Settings(Path dir, long maxBytes, long maxFileSize) {
    }

    private record Stored(Path file, int bytes) {
    }

    private final Settings settings;
    private final Cache<ContentCache.BlockKey, Stored> files;
    private final ConcurrentStatsCounter stats = new ConcurrentStatsCounter();
    private final ExecutorService writer;
    private final Scheduler reads = Schedulers.boundedElastic();
    private final AtomicLong pending = new AtomicLong();
    private final AtomicLong temporaries = new AtomicLong();
    private final AtomicBoolean failing = new AtomicBoolean();
    private final boolean enabled;
    private final Counters counters = new Counters();

    /** Counted before {@link #bindTo}: plain longs, published as function counters. */
    private static final class Counters {
        final AtomicLong served = new AtomicLong();
        final AtomicLong written = new AtomicLong();
        final AtomicLong failed = new AtomicLong();
        final AtomicLong skipped = new AtomicLong();
        final AtomicLong damaged = new AtomicLong();
    }

    /** Opens the tier in {@code settings.dir()}: created if missing, emptied; off if that fails. */
    public static DiskTier open(Settings settings) {
        try {
            prepare(settings.dir());
            log.info("disk cache in {}: up to {} bytes, blocks of files up to {} bytes", settings.dir(),
                    settings.maxBytes(), settings.maxFileSize());
            return new DiskTier(settings, true);
        } catch (IOException | RuntimeException e) {
            log.warn("disk cache off: its folder {} cannot be used ({}); reads go to memory and nodes only",
                    settings.dir(), e.toString());
            return new DiskTier(settings, false);
        }
    }

    /** A tier that keeps nothing (none configured). */
    public static DiskTier off() {
        return new DiskTier(new Settings(Path.of(""), 0, 0), false);
    }

    private DiskTier(Settings settings, boolean enabled) {
        if (settings.maxBytes() < 0 || settings.maxFileSize() < 0) {
            throw new IllegalArgumentException("disk cache sizes must be >= 0");
        }
        this.settings = settings;
        this.enabled = enabled;
        this.files = Caffeine.newBuilder()
                .maximumWeight(settings.maxBytes())
                .weigher((ContentCache.BlockKey k, Stored v) -> v.bytes())
                .evictionListener(this::evicted)
                .executor(Runnable::run)
                .recordStats(() -> stats)
                .build();
        this.writer = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "pohmelfs-disk-cache-writer");
            t.setDaemon(true);
            return t;
        });
    }

    /** Creates the folder and its sub-folders, and deletes the files a previous run left in them. */
    private static void prepare(Path dir) throws IOException {
        Files.createDirectories(dir);
        for (int i = 0; i < BlockFile.FOLDERS; i++) {
            Path sub = Files.createDirectories(dir.resolve(Integer.toHexString(i)));
            try (DirectoryStream<Path> left = Files.newDirectoryStream(sub)) {
                for (Path f : left) {
                    Files.deleteIfExists(f);
                }
            }
        }
        Path probe = Files.createTempFile(dir, "probe", ".tmp"); // fails early on a read-only folder
        Files.delete(probe);
    }

    /**
     * Publishes the tier's hits, misses, evictions and size as {@code cache_*{cache="<name>"}},
     * and {@code pohmelfs.gateway.cache.disk.*}: the bytes served from disk and held on it, writes
     * by result and damaged files dropped.
     */
    public DiskTier bindTo(MeterRegistry registry, String name) {
        CaffeineCacheMetrics.monitor(registry, files, name);
        FunctionCounter.builder("pohmelfs.gateway.cache.disk.served.bytes", counters.served, AtomicLong::get)
                .baseUnit("bytes").description("Content bytes served from the gateway's disk cache").register(registry);
        Gauge.builder("pohmelfs.gateway.cache.disk.bytes", this, DiskTier::weightedSize).baseUnit("bytes")
                .description("Bytes of block files in the gateway's disk cache").register(registry);
        for (var result : Map.of("written", counters.written, "failed", counters.failed,
                "skipped", counters.skipped).entrySet()) {
            FunctionCounter.builder("pohmelfs.gateway.cache.disk.writes",
                            result.getValue(), AtomicLong::get)
                    .tag("result", result.getKey())
                    .description("Blocks offered to the disk cache, by what became of them").register(registry);
        }
        FunctionCounter.builder("pohmelfs.gateway.cache.disk.damaged",
                        counters.damaged, AtomicLong::get)
                .description("Damaged or missing block files found by reads and dropped").register(registry);
        return this;
    }

    /** Whether this tier keeps blocks of a file of {@code size} bytes. */
    public boolean takes(long size) {
        return enabled && size <= settings.maxFileSize();
    }

    public boolean enabled() {
        return enabled;
    }

    /**
     * The block's verified bytes (a buffer of its own, position 0), or empty; never an error.
     * Caffeine's statistics count a damaged or vanished file as a hit ({@code damaged} counts it
     * again); the request counters of the caller ({@code kind="disk"}) count it as the miss it is.
     */
    public Mono<Optional<ByteBuffer>> get(ObjectPath path, long version, long index) {
        ContentCache.BlockKey key = new ContentCache.BlockKey(path.toString(), version, index);
        if (!enabled || !files.asMap().containsKey(key)) {
            stats.recordMisses(1);
            return Mono.just(Optional.empty());
        }
        return Mono.fromCallable(() -> read(key)).subscribeOn(reads)
                .onErrorResume(e -> {
                    log.debug("disk cache read of {} failed: {}", key, e.toString());
                    return Mono.just(Optional.empty());
                });
    }

    private Optional<ByteBuffer> read(ContentCache.BlockKey key) {
        Stored s = files.getIfPresent(key);
        if (s == null) {
            return Optional.empty();
        }
        Optional<ByteBuffer> data;
        try {
            data = BlockFile.decode(key, ByteBuffer.wrap(Files.readAllBytes(s.file())));
        } catch (NoSuchFileException e) {
            data = Optional.empty();
        } catch (IOException | RuntimeException e) {
            log.debug("reading disk cache file {}: {}", s.file(), e.toString());
            data = Optional.empty();
        }
        if (data.isEmpty()) {
            counters.damaged.incrementAndGet();
            log.debug("disk cache file {} of {} is damaged or gone: dropped", s.file(), key);
            drop(key, s);
            return Optional.empty();
        }
        counters.served.addAndGet(data.get().remaining());
        return data;
    }

    /** Removes {@code key} if it is still {@code s}, and its file with it (atomically for the key). */
    private void drop(ContentCache.BlockKey key, Stored s) {
        files.asMap().computeIfPresent(key, (k, cur) -> {
            if (cur.equals(s)) {
                deleteQuietly(cur.file());
                return null;
            }
            return cur;
        });
    }

    /**
     * Keeps a copy of {@code data}'s remaining bytes as block {@code index} of {@code path} at
     * {@code version}, written later by the writer thread; skipped when the tier is off, already
     * holds the block, or has more than {@link #MAX_PENDING_BYTES} waiting.
     */
    public void offer(ObjectPath path, long version, long index, ByteBuffer data) {
        offer(new ContentCache.BlockKey(path.toString(), version, index), data);
    }

    void offer(ContentCache.BlockKey key, ByteBuffer data) {
        if (!enabled || files.asMap().containsKey(key)) {
            return;
        }
        int n = data.remaining();
        if (pending.addAndGet(n) > MAX_PENDING_BYTES) {
            pending.addAndGet(-n);
            counters.skipped.incrementAndGet();
            return;
        }
        ByteBuffer copy = ByteBuffer.allocate(n).put(data.duplicate()).flip();
        try {
            writer.execute(() -> {
                try {
                    write(key, copy);
                } finally {
                    pending.addAndGet(-n);
                }
            });
        } catch (RejectedExecutionException closed) {
            pending.addAndGet(-n);
        }
    }

    private void write(ContentCache.BlockKey key, ByteBuffer data) {
        if (files.asMap().containsKey(key)) {
            return;
        }
        String name = BlockFile.name(key);
        Path target = settings.dir().resolve(BlockFile.folder(name)).resolve(name);
        Path tmp = target.resolveSibling(name + "." + temporaries.incrementAndGet() + ".tmp");
        ByteBuffer whole = BlockFile.encode(key, data);
        int bytes = whole.remaining();
        try {
            // No fsync: the folder is emptied at start, so nothing survives a crash to be trusted.
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                while (whole.hasRemaining()) {
                    ch.write(whole);
                }
            }
            files.asMap().compute(key, (k, cur) -> {
                if (cur != null) {
                    deleteQuietly(tmp);
                    return cur;
                }
                try {
                    Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
                return new Stored(target, bytes);
            });
            counters.written.incrementAndGet();
            if (failing.compareAndSet(true, false)) {
                log.info("disk cache writes to {} work again", settings.dir());
            }
        } catch (IOException | UncheckedIOException e) {
            deleteQuietly(tmp);
            counters.failed.incrementAndGet();
            if (failing.compareAndSet(false, true)) {
                log.warn("disk cache write to {} failed ({}); blocks are skipped while writes fail", settings.dir(),
                        e instanceof UncheckedIOException u ? u.getCause().toString() : e.toString());
            } else {
                log.debug("disk cache write failed: {}", e.toString());
            }
        }
    }

    /** Caffeine evicted an entry for size: runs inside the removal (atomic for the key). */
    private void evicted(ContentCache.BlockKey key, Stored value, RemovalCause cause) {
        if (value != null) {
            deleteQuietly(value.file());
        }
    }

    private static void deleteQuietly(Path f) {
        try {
            Files.deleteIfExists(f);
        } catch (IOException e) {
            log.debug("could not delete disk cache file {}: {}", f, e.toString());
        }
    }

    /** Bytes of the block files (headers included), after pending evictions have run. */
    public long weightedSize() {
        files.cleanUp();
        return files.policy().eviction().orElseThrow().weightedSize().orElse(0);
    }

    /** Blocks held. */
    public long size() {
        return files.estimatedSize();
    }

    /** Bytes of blocks offered and not yet written (or skipped); for tests. */
    public long pendingBytes() {
        return pending.get();
    }

    /** Blocks the writer wrote, failed to write and skipped; damaged files found; for tests. */
    public long written() {
        return counters.written.get();
    }

    public long failed() {
        return counters.failed.get();
    }

    public long damaged() {
        return counters.damaged.get();
    }

    public long servedBytes() {
        return counters.served.get();
    }

    /** Stops the writer; files stay until the next start empties the folder. */
    @Override
    public void close() {
        writer.shutdownNow();
    }
}
