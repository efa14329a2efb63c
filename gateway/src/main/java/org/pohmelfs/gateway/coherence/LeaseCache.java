package org.pohmelfs.gateway.coherence;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.RemovalCause;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.cache.CaffeineCacheMetrics;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import org.pohmelfs.client.ClientLease;
import org.pohmelfs.client.LeaseListener;
import org.pohmelfs.client.NodeClient;
import org.pohmelfs.client.NodeConnection;
import org.pohmelfs.client.NodeException;
import org.pohmelfs.coherence.LeaseClock;
import org.pohmelfs.coherence.LockMode;
import org.pohmelfs.coherence.LockScope;
import org.pohmelfs.protocol.Command;
import org.pohmelfs.protocol.ErrorCode;
import org.pohmelfs.protocol.Message;
import org.pohmelfs.protocol.ObjectPath;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

/**
 * The gateway's coherent metadata cache (design.md §3.5): attributes (negative entries
 * included), complete listings and extended attributes, each served only under a shared lease
 * the gateway holds on the path and strictly before that lease's gateway deadline.
 *
 * <p>How it works. One lease-capable connection to the primary node (the node treats every
 * connection as a separate holder, so every lease of this gateway lives on it), opened on first
 * use and again after it closes; each opening is a new <em>generation</em> and starts with an
 * empty cache. A miss sends ACQUIRE S with SUBTREE scope (on a file the same as OBJECT; on a
 * directory it makes every change at or below it recall the lease, so the directory's version
 * and its entries' attributes are covered without INTENT on the node), then the read that fills
 * the slot on that same connection, so a recall the node sent before the read's reply is seen
 * before the reply, and a value read after a recall is never stored. Mutations go on the
 * gateway's other, lease-less connection: the node takes transient locks for them and recalls
 * this gateway's leases exactly as it recalls any other gateway's, before the change is
 * visible. A recall drops the path's entry and is then acknowledged. Leases are given back
 * (RELEASE) when unused for the idle time, past their deadline, or evicted for size; a new
 * ACQUIRE of a path waits until its RELEASE was answered, so the RELEASE cannot undo it.
 *
 * <p>When the node does not negotiate {@code locks} and {@code push}, or the lease connection
 * cannot be opened, every call loads from the node as before (uncached).
 */
public final class LeaseCache implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(LeaseCache.class);
    /** How long to go uncached after the node said it serves no leases before asking again. */
    private static final long UNSUPPORTED_RETRY_NANOS = TimeUnit.SECONDS.toNanos(30);

    /** Sends one transaction to the node and returns its reply. */
    @FunctionalInterface
    public interface Sender {
        Mono<Message.Reply> send(List<Command> commands);
    }

    /** Settings: the metadata weight bound and the idle time after which a lease is given back. */
    public record Settings(long maxBytes, Duration idleRelease) {
    }

    private record Link(long generation, NodeConnection connection) {
        Sender sender() {
            return commands -> Mono.fromFuture(() -> connection.execute(commands), true);
        }
    }

    private final NodeClient client;
    private volatile InetSocketAddress node;
    private final Settings settings;
    private final LeaseClock clock = LeaseClock.DEFAULT;
    private final Cache<String, CachedPath> entries;
    private final Map<String, CompletableFuture<CachedPath>> acquiring = new ConcurrentHashMap<>();
    private final Map<String, CompletableFuture<Void>> releasing = new ConcurrentHashMap<>();
    private final AtomicReference<CompletableFuture<Link>> link = new AtomicReference<>();
    private final AtomicLong generations = new AtomicLong();
    private final AtomicLong grants = new AtomicLong();
    private volatile long unsupportedUntil = Long.MIN_VALUE;
    private volatile boolean unsupported;
    private final ScheduledExecutorService sweeper;
    private final CacheMetrics metrics;

    public LeaseCache(NodeClient client, InetSocketAddress node, Settings settings, MeterRegistry registry) {
        this.client = client;
        this.node = node;
        this.settings = settings;
        this.entries = Caffeine.newBuilder()
                .maximumWeight(settings.maxBytes())
                .weigher((String k, CachedPath v) -> 2 * k.length() + v.weight())
                .evictionListener(this::evicted)
                .executor(Runnable::run)
                .recordStats()
                .build();
        this.metrics = new CacheMetrics(registry);
        CaffeineCacheMetrics.monitor(registry, entries, "pohmelfs.metadata");
        Gauge.builder("pohmelfs.gateway.cache.leases", entries, Cache::estimatedSize)
                .description("Shared leases this gateway holds (one per cached path)").register(registry);
        this.sweeper = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "pohmelfs-lease-sweeper");
            t.setDaemon(true);
            return t;
        });
        long period = Math.max(50, Math.min(1000, settings.idleRelease().toMillis() / 4));
        sweeper.scheduleWithFixedDelay(this::sweep, period, period, TimeUnit.MILLISECONDS);
    }

    /**
     * The lock authority moved to {@code next} (design.md §4.4): every entry is dropped and the
     * lease connection closed at once, so nothing cached under the old authority's leases is
     * served again; the next use connects to {@code next} (whose grace period delays its first
     * grants). Nothing happens when {@code next} is the node in use.
     */
    public void moveTo(InetSocketAddress next) {
        if (next.equals(node)) {
            return;
        }
        log.info("lease authority moves from {} to {}: dropping the cache", node, next);
        node = next;
        CompletableFuture<Link> old = link.getAndSet(null);
        entries.invalidateAll();
        if (old != null) {
            old.thenAccept(l -> l.connection().close());
        }
    }

    private volatile boolean suspended;

    /**
     * This gateway can no longer learn that the lock authority moves (its ZooKeeper connection
     * is suspended or lost, design.md §4.4): every entry is dropped and the lease connection
     * closed at once, and nothing is cached or served from the cache until {@link #resume}.
     * Requests meanwhile go to the node uncached.
     */
    public void suspend() {
        if (!suspended) {
            log.warn("no ZooKeeper connection: the lease cache serves nothing until it is back");
        }
        suspended = true;
        CompletableFuture<Link> old = link.getAndSet(null);
        entries.invalidateAll();
        if (old != null) {
            old.thenAccept(l -> l.connection().close());
        }
    }

    /** Caches again after {@link #suspend} (the map is current again). */
    public void resume() {
        if (suspended) {
            log.info("ZooKeeper connection back: the lease cache caches again");
        }
        suspended = false;
    }

    /** Whether the cache is suspended (serving nothing) now. */
    public boolean suspended() {
        return suspended;
    }

    /** The node whose leases this cache holds. */
    public InetSocketAddress node() {
        return node;
    }

    /** The counters shared with the content path. */
    public CacheMetrics metrics() {
        return metrics;
    }

    /**
     * The value of {@code slot} for {@code path}: from the cache under a valid lease, or else
     * loaded by {@code load} (under a fresh lease, on the lease connection, and kept), or, when
     * no lease can be had, loaded through {@code fallback} and not kept.
     */
    public <T> Mono<T> get(ObjectPath path, Slot<T> slot, Function<Sender, Mono<T>> load, Sender fallback) {
        return Mono.defer(() -> {
            String key = path.toString();
            CachedPath e = suspended ? null : entries.getIfPresent(key);
            long now = System.nanoTime();
            if (e != null) {
                Optional<T> v = e.get(slot, now);
                if (v.isPresent()) {
                    metrics.hit(slot.kind());
                    return Mono.just(v.get());
                }
            }
            metrics.miss(slot.kind());
            return leased(key, e, now)
                    .flatMap(held -> {
                        Optional<T> v = held.entry.get(slot, System.nanoTime());
                        if (v.isPresent()) {
                            return Mono.just(v.get());
                        }
                        return load.apply(held.link.sender()).doOnNext(value -> store(key, held.entry, slot, value));
                    })
                    .switchIfEmpty(Mono.defer(() -> load.apply(fallback)));
        });
    }

    /**
     * The value of {@code slot} for {@code path} if {@link #get} would return it from the cache
     * right now, without a node request and without assembling a reactive chain (the WebDAV fast
     * GET's hot path), or empty. A hit is counted as {@link #get} counts it; a miss counts nothing
     * (the entry is looked at quietly, so that the caller's {@link #get} that follows counts it once).
     */
    public <T> Optional<T> peek(ObjectPath path, Slot<T> slot) {
        String key = path.toString();
        CachedPath quiet = entries.policy().getIfPresentQuietly(key);
        if (quiet == null || suspended) {
            return Optional.empty();
        }
        CachedPath e = entries.getIfPresent(key); // the counted look-up (statistics, recency)
        Optional<T> v = e == null ? Optional.empty() : e.get(slot, System.nanoTime());
        if (v.isPresent()) {
            metrics.hit(slot.kind());
        }
        return v;
    }

    private record Held(Link link, CachedPath entry) {
    }

    /** A valid lease on the path (acquired if needed), or empty when leases cannot be had now. */
    private Mono<Held> leased(String key, CachedPath seen, long now) {
        return currentLink().flatMap(l -> {
            if (seen != null && seen.generation() == l.generation() && seen.valid(now)) {
                return Mono.just(new Held(l, seen));
            }
            CompletableFuture<CachedPath> pending = acquiring.computeIfAbsent(key, k -> acquire(k, l, seen));
            pending.whenComplete((r, x) -> acquiring.remove(key, pending));
            return Mono.fromFuture(pending, true).map(entry -> new Held(l, entry))
                    .onErrorResume(x -> {
                        log.debug("no lease on {}: {}", key, x.toString());
                        return Mono.empty();
                    });
        });
    }

    private CompletableFuture<CachedPath> acquire(String key, Link l, CachedPath stale) {
        CompletableFuture<Void> released = stale != null ? retire(key, stale)
                : releasing.getOrDefault(key, CompletableFuture.completedFuture(null));
        long start = System.nanoTime();
        return Mono.fromFuture(released, true)
                .then(l.connection().acquire(key, LockMode.SHARED, LockScope.SUBTREE))
                .map(lease -> install(key, l, lease))
                .doOnSuccess(x -> metrics.leaseWait(System.nanoTime() - start))
                .toFuture();
    }

    /** Runs on the connection's event loop as the grant arrives, so before any recall of it. */
    private CachedPath install(String key, Link l, ClientLease lease) {
        CachedPath fresh = CachedPath.granted(l.generation(), grants.incrementAndGet(), lease.leaseId(),
                lease.deadlineNanos(), lease.sentAtNanos());
        if (lease.attr().isPresent()) {
            fresh = fresh.with(Slot.ATTR, lease.attr());
        }
        if (liveLink() != l) {
            return fresh; // the connection is gone: use it for this request only
        }
        entries.put(key, fresh);
        return fresh;
    }

    private <T> void store(String key, CachedPath under, Slot<T> slot, T value) {
        entries.asMap().computeIfPresent(key, (k, cur) -> cur.sameGrant(under) ? cur.with(slot, value) : cur);
    }

    // ------------------------------------------------------------------ the lease connection

    private Mono<Link> currentLink() {
        if (suspended) {
            return Mono.empty();
        }
        if (unsupported && System.nanoTime() - unsupportedUntil < 0) {
            return Mono.empty();
        }
        return Mono.defer(() -> Mono.fromFuture(linkFuture(), true))
                .onErrorResume(x -> {
                    if (x instanceof NodeException n && n.code() == ErrorCode.UNSUPPORTED) {
                        if (!unsupported) {
                            log.info("node {} serves no leases: the gateway runs uncached", node);
                        }
                        unsupported = true;
                        unsupportedUntil = System.nanoTime() + UNSUPPORTED_RETRY_NANOS;
                    } else {
                        log.debug("no lease connection to {}: {}", node, x.toString());
                    }
                    return Mono.empty();
                });
    }

    private CompletableFuture<Link> linkFuture() {
        while (true) {
            CompletableFuture<Link> f = link.get();
            if (f != null && !(f.isDone() && (f.isCompletedExceptionally() || !f.join().connection().isOpen()))) {
                return f;
            }
            CompletableFuture<Link> fresh = new CompletableFuture<>();
            if (link.compareAndSet(f, fresh)) {
                long generation = generations.incrementAndGet();
                entries.invalidateAll(); // leases of an earlier connection are not renewed any more
                client.connectWithLeases(node, new Listener(generation)).whenComplete((c, x) -> {
                    if (x != null) {
                        fresh.completeExceptionally(x instanceof java.util.concurrent.CompletionException
                                && x.getCause() != null ? x.getCause() : x);
                    } else {
                        unsupported = false;
                        fresh.complete(new Link(generation, c));
                    }
                });
                return fresh;
            }
        }
    }

    private Link liveLink() {
        CompletableFuture<Link> f = link.get();
        return f != null && f.isDone() && !f.isCompletedExceptionally() ? f.join() : null;
    }

    /** What the node tells this gateway about the leases of one lease connection. */
    private final class Listener implements LeaseListener {
        private final long generation;

        Listener(long generation) {
            this.generation = generation;
        }

        @Override
        public Mono<Void> recall(Recall recall) {
            metrics.recall();
            // Drop first, then acknowledge (the Mono completing sends PUSH_ACK): the node makes
            // the change visible only after the ack. Content blocks stay: they are keyed by version.
            entries.asMap().computeIfPresent(recall.path(), (k, cur) -> cur.generation() == generation ? null : cur);
            return Mono.empty();
        }

        @Override
        public void renewed(long sentAtNanos, int count, long durationNanos) {
            long deadline = clock.gatewayDeadline(sentAtNanos, durationNanos);
            long now = System.nanoTime();
            for (String key : entries.asMap().keySet()) {
                entries.asMap().computeIfPresent(key, (k, cur) -> cur.generation() == generation
                        ? cur.renewed(now, deadline) : cur);
            }
        }

        @Override
        public void lost(NodeException why) {
            log.debug("lease connection to {} lost: {}", node, why.toString());
            dropGeneration(generation);
        }

        @Override
        public void renewRefused(NodeException why) {
            // The node is no longer the lock authority (design.md §4.4): nothing from this
            // connection is served again; the next miss acquires anew (on the new authority once
            // this gateway has the map that names it).
            log.info("node {} refused to renew the leases of this gateway: {}", node, why.getMessage());
            dropGeneration(generation);
        }

        @Override
        public void incarnationChanged(String nodeId, long before, long now) {
            log.info("node {} restarted: dropping every cached entry", nodeId);
            entries.invalidateAll();
        }
    }

    private void dropGeneration(long generation) {
        entries.asMap().values().removeIf(e -> e.generation() == generation);
    }

    // ------------------------------------------------------------------ giving leases back

    /** Caffeine evicted an entry for size: give its lease back. Runs inside the removal, before it is visible. */
    private void evicted(String key, CachedPath value, RemovalCause cause) {
        if (key == null || value == null || !cause.wasEvicted()) {
            return;
        }
        CompletableFuture<Void> f = new CompletableFuture<>();
        if (releasing.putIfAbsent(key, f) == null) {
            sendRelease(key, value, f);
        }
    }

    /** Removes an entry and gives its lease back; completes when the node answered (or could not). */
    private CompletableFuture<Void> retire(String key, CachedPath entry) {
        CompletableFuture<Void> f = new CompletableFuture<>();
        CompletableFuture<Void> previous = releasing.putIfAbsent(key, f);
        if (previous != null) {
            return previous;
        }
        if (!entries.asMap().remove(key, entry)) {
            releasing.remove(key, f);
            f.complete(null);
            return f;
        }
        sendRelease(key, entry, f);
        return f;
    }

    private void sendRelease(String key, CachedPath entry, CompletableFuture<Void> done) {
        Link l = liveLink();
        if (l == null || l.generation() != entry.generation()) {
            releasing.remove(key, done);
            done.complete(null);
            return;
        }
        metrics.release();
        l.connection().release(key)
                .timeout(Duration.ofSeconds(5))
                .onErrorResume(x -> {
                    log.debug("RELEASE {} failed: {}", key, x.toString());
                    return Mono.empty();
                })
                .doFinally(s -> {
                    releasing.remove(key, done);
                    done.complete(null);
                })
                .subscribe();
    }

    /** Gives back leases unused for the idle time or past their deadline. */
    void sweep() {
        try {
            long now = System.nanoTime();
            long idle = settings.idleRelease().toNanos();
            for (Map.Entry<String, CachedPath> e : entries.asMap().entrySet()) {
                if (e.getValue().releasable(now, idle)) {
                    if (!e.getValue().valid(now)) {
                        metrics.expired();
                    }
                    retire(e.getKey(), e.getValue());
                }
            }
        } catch (RuntimeException x) {
            log.warn("lease sweep failed", x);
        }
    }

    /** Cached paths (leases held), for tests. */
    public long size() {
        return entries.estimatedSize();
    }

    @Override
    public void close() {
        sweeper.shutdownNow();
        Link l = liveLink();
        if (l != null) {
            l.connection().close();
        }
        entries.invalidateAll();
    }
}
