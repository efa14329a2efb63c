package org.pohmelfs.coherence;

import java.util.Objects;
import org.pohmelfs.protocol.ObjectPath;

/**
 * An input to {@link LockTable#step}. Holders are gateway ids, chosen by the caller; request
 * ids come from the caller too (the driver uses the transaction id of the ACQUIRE).
 */
public sealed interface LockEvent {

    /** ACQUIRE: answered later by a {@link LockReady.Grant} or a {@link LockReady.Refusal} with this request id. */
    record Acquire(String holder, ObjectPath path, LockMode mode, LockScope scope, long requestId) implements LockEvent {
        public Acquire {
            Objects.requireNonNull(holder);
            Objects.requireNonNull(path);
            Objects.requireNonNull(mode);
            Objects.requireNonNull(scope);
        }
    }

    /** RELEASE: the holder gives up its lease on the path. Ignored when it holds none. */
    record Release(String holder, ObjectPath path) implements LockEvent {
        public Release {
            Objects.requireNonNull(holder);
            Objects.requireNonNull(path);
        }
    }

    /** DOWNGRADE: the holder's exclusive lease on the path becomes shared. Ignored otherwise. */
    record Downgrade(String holder, ObjectPath path) implements LockEvent {
        public Downgrade {
            Objects.requireNonNull(holder);
            Objects.requireNonNull(path);
        }
    }

    /** RENEW: every lease the holder has and that is not being recalled runs for another lease duration from now. */
    record Renew(String holder) implements LockEvent {
        public Renew {
            Objects.requireNonNull(holder);
        }
    }

    /**
     * The holder's lease on the path runs for another lease duration from now, recalled or not;
     * ignored when it holds none there. For the node's own holders only: the transient locks of a
     * held mutation, which must outlive the recalls they cause until the write reached every
     * replica (design.md §4.7). A client's recalled lease is never extended (it renews with
     * {@link Renew}).
     */
    record Extend(String holder, ObjectPath path) implements LockEvent {
        public Extend {
            Objects.requireNonNull(holder);
            Objects.requireNonNull(path);
        }
    }

    /** PUSH_ACK OK for a recall: the holder did what the recall asked. Ignored for an unknown or stale push id. */
    record Ack(long pushId) implements LockEvent {
    }

    /**
     * The holder's connection is lost. Its queued requests are refused; its leases stay until
     * they expire, because the gateway may still be serving from them until its own deadline.
     */
    record HolderGone(String holder) implements LockEvent {
        public HolderGone {
            Objects.requireNonNull(holder);
        }
    }

    /**
     * The grace period (nothing is granted, requests queue) ends at {@code untilNanos} instead of
     * when it ended so far: a later time starts or lengthens one, a time at or before now ends it.
     * At most one lease duration past now. For a node that becomes the lock authority
     * (design.md §4.4): its predecessor's leases may still be served by gateways.
     */
    record Grace(long untilNanos) implements LockEvent {
    }

    /** The node's monotonic clock reads {@code nowNanos}; it never goes back. */
    record Tick(long nowNanos) implements LockEvent {
    }
}
