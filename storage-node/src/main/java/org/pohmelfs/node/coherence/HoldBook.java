package org.pohmelfs.node.coherence;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The node's held writes (design.md §4.7, protocol §4.8.2): which committed transactions keep
 * their transient mutation locks, per connection and txid, until when, and which must be
 * forwarded to the other replicas before their locks go. Pure: time comes in as arguments
 * (nanoseconds of one monotonic clock), nothing is sent or released here; the caller does what
 * each answer says. Not thread-safe (the lease driver's thread owns it).
 *
 * <p>An entry is HELD from its commit until UNHOLD (removed: release its locks), or until its
 * connection closes or one lease duration passes without UNHOLD: then it turns FORWARDING, and
 * the caller forwards the write and reports {@link #forwarded}, which removes it (release then).
 * A FORWARDING entry's locks are extended each time its deadline comes ({@link Due#extend}), so
 * they outlive the forwarding however long that takes; UNHOLD of it changes nothing.
 *
 * @param <P> what the caller keeps with a hold (the request to forward, the lock handle)
 */
public final class HoldBook<P> {

    /** One hold: the connection that sent the transaction, and its txid. */
    public record Key(String connection, long txid) {
    }

    public enum State { HELD, FORWARDING }

    /** A hold and what to do with it; {@code deadlineNanos} is when it expires (HELD) or is extended (FORWARDING). */
    public record Entry<P>(Key key, P payload, State state, long deadlineNanos) {
    }

    /** What a tick found: holds to forward now, and forwarding holds whose locks to extend by L. */
    public record Due<P>(List<Entry<P>> forward, List<Entry<P>> extend) {
        public boolean isEmpty() {
            return forward.isEmpty() && extend.isEmpty();
        }
    }

    private final long leaseNanos;
    private final Map<Key, Entry<P>> entries = new LinkedHashMap<>();

    /** @param leaseNanos L: how long a hold lasts without UNHOLD */
    public HoldBook(long leaseNanos) {
        if (leaseNanos <= 0) {
            throw new IllegalArgumentException("lease duration must be positive: " + leaseNanos);
        }
        this.leaseNanos = leaseNanos;
    }

    /**
     * A transaction committed with HOLD at {@code now}: held until {@code now + L}. A key held
     * already (the same txid committed twice on one connection cannot happen: a resend is answered
     * from the reply cache and holds nothing) is refused: the caller releases the new locks.
     *
     * @return whether the hold was taken
     */
    public boolean hold(Key key, P payload, long now) {
        if (entries.containsKey(key)) {
            return false;
        }
        entries.put(key, new Entry<>(key, payload, State.HELD, now + leaseNanos));
        return true;
    }

    /** UNHOLD: a HELD entry is removed and returned (release its locks); a forwarding one or none: empty. */
    public Optional<Entry<P>> unhold(Key key) {
        Entry<P> e = entries.get(key);
        if (e == null || e.state() != State.HELD) {
            return Optional.empty();
        }
        entries.remove(key);
        return Optional.of(e);
    }

    /** The connection closed at {@code now}: its HELD entries turn FORWARDING and are returned, to forward. */
    public List<Entry<P>> closed(String connection, long now) {
        List<Entry<P>> out = new ArrayList<>();
        for (Map.Entry<Key, Entry<P>> m : entries.entrySet()) {
            Entry<P> e = m.getValue();
            if (e.key().connection().equals(connection) && e.state() == State.HELD) {
                Entry<P> f = new Entry<>(e.key(), e.payload(), State.FORWARDING, now + leaseNanos);
                m.setValue(f);
                out.add(f);
            }
        }
        return out;
    }

    /**
     * Time is {@code now}: HELD entries whose deadline has come turn FORWARDING ({@link Due#forward});
     * FORWARDING entries whose deadline has come get a new one at {@code now + L} ({@link Due#extend}).
     * Either way the caller extends the entry's locks now, so they never expire under it.
     */
    public Due<P> tick(long now) {
        List<Entry<P>> forward = new ArrayList<>();
        List<Entry<P>> extend = new ArrayList<>();
        for (Map.Entry<Key, Entry<P>> m : entries.entrySet()) {
            Entry<P> e = m.getValue();
            if (e.deadlineNanos() > now) {
                continue;
            }
            Entry<P> f = new Entry<>(e.key(), e.payload(), State.FORWARDING, now + leaseNanos);
            m.setValue(f);
            (e.state() == State.HELD ? forward : extend).add(f);
        }
        return new Due<>(forward, extend);
    }

    /** The forwarding of {@code key} ended: the entry is removed and returned (release its locks). */
    public Optional<Entry<P>> forwarded(Key key) {
        Entry<P> e = entries.get(key);
        if (e == null || e.state() != State.FORWARDING) {
            return Optional.empty();
        }
        entries.remove(key);
        return Optional.of(e);
    }

    /** Every entry, HELD and FORWARDING, in the order they were held (for shutdown and diagnostics). */
    public List<Entry<P>> entries() {
        return List.copyOf(entries.values());
    }

    /** Removes every entry (the node stops: its locks die with it) and returns them. */
    public List<Entry<P>> clear() {
        List<Entry<P>> out = entries();
        entries.clear();
        return out;
    }

    public int count(State state) {
        int n = 0;
        for (Iterator<Entry<P>> it = entries.values().iterator(); it.hasNext(); ) {
            if (it.next().state() == state) {
                n++;
            }
        }
        return n;
    }

    /** Invariants: every deadline is at most {@code now + L}. For tests, after every step. */
    public void check(long now) {
        for (Entry<P> e : entries.values()) {
            if (e.deadlineNanos() > now + leaseNanos) {
                throw new IllegalStateException("hold runs past now + L: " + e + " at " + now);
            }
        }
    }
}
