package org.pohmelfs.gateway.coherence;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The cache's meters: {@code pohmelfs.gateway.cache.requests{kind, result=hit|miss}},
 * {@code .served.bytes} (content bytes served from memory), {@code .recalls} (received),
 * {@code .releases}, {@code .lease.wait} (ACQUIRE latency) and {@code .leases.expired}: leases found
 * past their gateway deadline when swept, i.e. not renewed in time (the node unreachable or
 * stalled while this gateway kept taking requests; nothing is served from such a lease, every
 * read goes to a node until a new one is granted).
 */
public final class CacheMetrics {
    private final MeterRegistry registry;
    private final Map<String, Counter> counters = new ConcurrentHashMap<>();
    private final Counter served;
    private final Counter recalls;
    private final Counter releases;
    private final Timer leaseWait;
    private final Counter expired;

    public CacheMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.served = Counter.builder("pohmelfs.gateway.cache.served.bytes").baseUnit("bytes")
                .description("Content bytes served from the gateway's memory").register(registry);
        this.recalls = Counter.builder("pohmelfs.gateway.cache.recalls")
                .description("Lease recalls received from nodes").register(registry);
        this.releases = Counter.builder("pohmelfs.gateway.cache.releases")
                .description("Leases given back (idle, expired or evicted)").register(registry);
        this.leaseWait = Timer.builder("pohmelfs.gateway.cache.lease.wait")
                .description("Time from ACQUIRE to grant").register(registry);
        this.expired = Counter.builder("pohmelfs.gateway.cache.leases.expired")
                .description("Leases that ran past their gateway deadline without a renewal").register(registry);
    }

    public void hit(String kind) {
        counter(kind, "hit").increment();
    }

    public void miss(String kind) {
        counter(kind, "miss").increment();
    }

    public void served(long bytes) {
        served.increment(bytes);
    }

    void recall() {
        recalls.increment();
    }

    void release() {
        releases.increment();
    }

    void expired() {
        expired.increment();
    }

    /** Leases that ran past their deadline, for tests. */
    public double expiredCount() {
        return expired.count();
    }

    void leaseWait(long nanos) {
        leaseWait.record(nanos, TimeUnit.NANOSECONDS);
    }

    /** The count of {@code kind} requests with {@code result} ("hit" or "miss"), for tests. */
    public double count(String kind, String result) {
        return counter(kind, result).count();
    }

    private Counter counter(String kind, String result) {
        return counters.computeIfAbsent(kind + "/" + result, k -> Counter.builder("pohmelfs.gateway.cache.requests")
                .tag("kind", kind).tag("result", result)
                .description("Cache lookups by kind and result").register(registry));
    }
}
