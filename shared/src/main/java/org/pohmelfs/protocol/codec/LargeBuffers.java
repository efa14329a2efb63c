package org.pohmelfs.protocol.codec;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;

/**
 * Where the decoder takes buffers for whole incoming frames. Frames up to {@link #POOLED_FROM}
 * come from the channel's allocator. Larger ones (1 MiB WRITE and DATA frames) come from Netty's
 * pooled allocator: the channel's default (adaptive) allocator serves sizes above its size classes
 * with a fresh, zeroed direct buffer per frame, which showed in profiles of streaming writes and
 * reads (docs/benchmarks-node.md). The pool hands back used memory without zeroing it; every
 * byte of a frame buffer is written before it is read.
 *
 * <p>Only for incoming frames, which stay allocated while their request runs (the node) or while
 * the next frames arrive, so the pool's 4 MiB chunks rarely empty. The encoder does not use it:
 * its frames are freed as soon as the socket took them, the chunks emptied and were freed and
 * allocated again (zeroed), and that profiled worse than the channel's allocator.
 */
final class LargeBuffers {
    /** Frames at least this large come from the pool. */
    static final int POOLED_FROM = 64 << 10;

    private LargeBuffers() {
    }

    /** Whether a frame buffer of {@code size} bytes should come from {@link #pooled}. */
    static boolean large(long size) {
        return size >= POOLED_FROM;
    }

    /** A pooled direct buffer (heap where the platform has no direct buffers) of {@code size} bytes. */
    static ByteBuf pooled(int size) {
        return PooledByteBufAllocator.DEFAULT.ioBuffer(size);
    }
}
