package org.pohmelfs.gateway.cache;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.RemovalCause;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.cache.CaffeineCacheMetrics;
import java.nio.ByteBuffer;
import java.util.Optional;
import org.pohmelfs.protocol.ObjectPath;

/**
 * File content by version (design.md §3.5): blocks of {@code blockSize} bytes keyed by (path,
 * version, block index). The node gives every change of a file a version it never reuses, so
 * a block under one key never changes and needs no invalidation; it only becomes unreachable
 * once the cache, under a lease, learns a newer version. The last block of a file, and a small
 * file held whole, may be shorter than {@code blockSize}.
 *
 * <p>Bounded by the bytes it holds (a per-entry overhead included); least recently and least
 * frequently used blocks go first (Caffeine's W-TinyLFU). With a {@link DiskTier}, a block evicted
 * for size is offered to it (written later, off the caller's thread; see {@link DiskTier#offer}).
 */
public final class ContentCache {
    /** What one cached block costs besides its bytes: key, map node, buffer header. */
    static final int ENTRY_OVERHEAD = 160;

    record BlockKey(String path, long version, long index) {
    }

    private final Cache<BlockKey, ByteBuffer> blocks;
    private final int blockSize;

    public ContentCache(long maxBytes, int blockSize) {
        this(maxBytes, blockSize, null);
    }

    /** A cache whose blocks evicted for size go to {@code evictedTo} (null: they are dropped). */
    public ContentCache(long maxBytes, int blockSize, DiskTier evictedTo) {
        if (blockSize <= 0 || maxBytes < 0) {
            throw new IllegalArgumentException("blockSize must be > 0 and maxBytes >= 0");
        }
        this.blockSize = blockSize;
        Caffeine<BlockKey, ByteBuffer> builder = Caffeine.newBuilder()
                .maximumWeight(maxBytes)
                .weigher((BlockKey k, ByteBuffer v) -> ENTRY_OVERHEAD + v.capacity());
        if (evictedTo != null) {
            builder = builder.evictionListener((BlockKey k, ByteBuffer v, RemovalCause cause) -> {
                if (k != null && v != null && cause == RemovalCause.SIZE) {
                    evictedTo.offer(k, v);
                }
            });
        }
        this.blocks = builder
                .recordStats()
                .executor(Runnable::run)
                .build();
    }

    /** Publishes hits, misses, evictions and size as {@code cache_*{cache="<name>"}} metrics. */
    public ContentCache bindTo(MeterRegistry registry, String name) {
        CaffeineCacheMetrics.monitor(registry, blocks, name);
        return this;
    }

    public int blockSize() {
        return blockSize;
    }

    /** The block, as a read-only buffer of its own (position 0), or empty. */
    public Optional<ByteBuffer> get(ObjectPath path, long version, long index) {
        ByteBuffer b = blocks.getIfPresent(new BlockKey(path.toString(), version, index));
        return b == null ? Optional.empty() : Optional.of(b.asReadOnlyBuffer());
    }

    /**
     * As {@link #get}, except that a miss is not counted (the block is looked at quietly first),
     * so that a caller falling back to {@link #get} after a miss counts it once.
     */
    public Optional<ByteBuffer> peek(ObjectPath path, long version, long index) {
        BlockKey key = new BlockKey(path.toString(), version, index);
        if (blocks.policy().getIfPresentQuietly(key) == null) {
            return Optional.empty();
        }
        ByteBuffer b = blocks.getIfPresent(key); // the counted look-up (statistics, frequency)
        return b == null ? Optional.empty() : Optional.of(b.asReadOnlyBuffer());
    }

    /**
     * Keeps a copy of {@code data}'s remaining bytes as block {@code index} of {@code path} at
     * {@code version}. The copy is exact-sized, so a slice of a large frame is not kept alive.
     */
    public void put(ObjectPath path, long version, long index, ByteBuffer data) {
        if (data.remaining() > blockSize) {
            throw new IllegalArgumentException("a block holds at most " + blockSize + " bytes, not " + data.remaining());
        }
        ByteBuffer copy = ByteBuffer.allocate(data.remaining());
        copy.put(data.duplicate()).flip();
        blocks.put(new BlockKey(path.toString(), version, index), copy.asReadOnlyBuffer());
    }

    /** Bytes held, overhead included (after pending evictions have run). */
    public long weightedSize() {
        blocks.cleanUp();
        return blocks.policy().eviction().orElseThrow().weightedSize().orElse(0);
    }
}
