package org.pohmelfs.coherence;

/**
 * An input to {@link CacheEntryState#step}: the events of design.md §3.2, plus
 * {@link Renewed} (the reply to RENEW). Times are the gateway's monotonic clock.
 */
public sealed interface CacheEvent {
    /** R: a local read at {@code nowNanos}. */
    record Read(long nowNanos) implements CacheEvent {
    }

    /** W: a local write at {@code nowNanos}. */
    record Write(long nowNanos) implements CacheEvent {
    }

    /** GS: a shared grant, for an ACQUIRE sent at {@code sentAtNanos}, received at {@code nowNanos}. */
    record GrantShared(long sentAtNanos, long leaseNanos, long nowNanos) implements CacheEvent {
    }

    /** GX: an exclusive grant, for an ACQUIRE sent at {@code sentAtNanos}, received at {@code nowNanos}. */
    record GrantExclusive(long sentAtNanos, long leaseNanos, long nowNanos) implements CacheEvent {
    }

    /** RS: RECALL_SHARED push. */
    record RecallShared(long pushId) implements CacheEvent {
    }

    /** RX: RECALL_EXCLUSIVE push. */
    record RecallExclusive(long pushId) implements CacheEvent {
    }

    /** TICK: the clock reads {@code nowNanos}. Sends RENEW at the renewal point, and acts as EXP at the deadline. */
    record Tick(long nowNanos) implements CacheEvent {
    }

    /** EXP: the driver gives up on the lease or on the pending request (deadline passed, or request timed out). */
    record Expire() implements CacheEvent {
    }

    /** The RENEW sent at {@code sentAtNanos} succeeded: the deadline moves to that renewal's deadline. */
    record Renewed(long sentAtNanos, long leaseNanos) implements CacheEvent {
    }

    /** FD: every in-sync replica acknowledged the flush. */
    record FlushDone() implements CacheEvent {
    }

    /** FF: the flush failed. */
    record FlushFailed() implements CacheEvent {
    }

    /** EV: the cache wants the entry gone. */
    record Evict() implements CacheEvent {
    }
}
