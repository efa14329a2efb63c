package org.pohmelfs.gateway.security;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;
import java.time.Duration;
import java.util.Optional;
import org.pohmelfs.gateway.config.GatewayProperties;

/**
 * Counts failed logins and says when a client must wait (429 with Retry-After).
 *
 * <p>Three fixed-window counters, each with its own limit: one per (client address, user) pair,
 * one per user from any address, one per address for any user. A request is refused while any
 * counter that applies to it has reached its limit in its current window; it may try again when
 * that window ends. A successful login clears only its own pair's counter: an attacker who
 * also owns an account cannot wipe the address-wide count by logging in as himself.
 *
 * <p>Memory is bounded: each kind keeps at most {@code maxEntries} counters (Caffeine evicts
 * the least useful first) and a counter expires one window after its last failure. Time comes
 * from the {@link Ticker}, so tests step it by hand.
 */
public final class LoginThrottle {
    private record Window(long start, int count) {
    }

    private final GatewayProperties.Throttle limits;
    private final long windowNanos;
    private final Ticker ticker;
    private final Cache<String, Window> pairs;
    private final Cache<String, Window> users;
    private final Cache<String, Window> addresses;

    public LoginThrottle(GatewayProperties.Throttle limits, Ticker ticker) {
        this.limits = limits;
        this.windowNanos = limits.window().toNanos();
        this.ticker = ticker;
        this.pairs = cache();
        this.users = cache();
        this.addresses = cache();
    }

    private Cache<String, Window> cache() {
        return Caffeine.newBuilder().maximumSize(limits.maxEntries()).expireAfterWrite(limits.window())
                .ticker(ticker).executor(Runnable::run).build();
    }

    private static String pair(String address, String user) {
        return address + '\u0000' + user;
    }

    /**
     * How long a request from {@code address} for {@code user} (null: no user known, e.g. a
     * bearer token) must wait; empty if it may try now.
     */
    public Optional<Duration> refusedFor(String address, String user) {
        long now = ticker.read();
        long wait = wait(addresses, address, limits.addressFailures(), now);
        if (user != null) {
            wait = Math.max(wait, wait(users, user, limits.userFailures(), now));
            wait = Math.max(wait, wait(pairs, pair(address, user), limits.pairFailures(), now));
        }
        return wait > 0 ? Optional.of(Duration.ofNanos(wait)) : Optional.empty();
    }

    private long wait(Cache<String, Window> cache, String key, int limit, long now) {
        Window w = cache.getIfPresent(key);
        if (w == null || now - w.start() >= windowNanos || w.count() < limit) {
            return 0;
        }
        return w.start() + windowNanos - now;
    }

    /** Counts one failed login ({@code user} null when unknown). */
    public void failed(String address, String user) {
        long now = ticker.read();
        count(addresses, address, now);
        if (user != null) {
            count(users, user, now);
            count(pairs, pair(address, user), now);
        }
    }

    private void count(Cache<String, Window> cache, String key, long now) {
        cache.asMap().compute(key, (k, w) -> w == null || now - w.start() >= windowNanos
                ? new Window(now, 1) : new Window(w.start(), w.count() + 1));
    }

    /** A successful login: forgets the failures of this address for this user only. */
    public void succeeded(String address, String user) {
        pairs.invalidate(pair(address, user));
    }

    /** Counters held (for tests of the memory bound). */
    long size() {
        pairs.cleanUp();
        users.cleanUp();
        addresses.cleanUp();
        return pairs.estimatedSize() + users.estimatedSize() + addresses.estimatedSize();
    }
}
