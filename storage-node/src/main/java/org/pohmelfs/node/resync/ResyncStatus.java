package org.pohmelfs.node.resync;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.concurrent.atomic.AtomicLong;
import org.pohmelfs.cluster.ResyncProgress;

/**
 * The figures of the node's resync, for its gauges ({@code pohmelfs.node.resync.*}, registered at
 * start and 0 while idle), its pass counter and the {@link ResyncProgress} it publishes. Thread-safe.
 */
public final class ResyncStatus implements ResyncPass.Listener {
    private final String node;
    private final MeterRegistry registry;
    private final AtomicLong active = new AtomicLong();
    private final AtomicLong objectsDone = new AtomicLong();
    private final AtomicLong objectsLeft = new AtomicLong();
    private final AtomicLong bytesDone = new AtomicLong();
    private final AtomicLong bytesLeft = new AtomicLong();
    private volatile ResyncProgress.Phase phase = ResyncProgress.Phase.DONE;
    private volatile String source = "";
    private volatile long startedAt;

    public ResyncStatus(String node, MeterRegistry registry) {
        this.node = node;
        this.registry = registry;
        gauge("pohmelfs.node.resync.active", active, "1 while the node resyncs, else 0");
        gauge("pohmelfs.node.resync.objects.done", objectsDone, "objects copied, deleted or checked in this resync");
        gauge("pohmelfs.node.resync.objects.left", objectsLeft, "objects known to be left in this resync's pass");
        gauge("pohmelfs.node.resync.bytes.done", bytesDone, "content bytes copied in this resync");
        gauge("pohmelfs.node.resync.bytes.left", bytesLeft, "content bytes known to be left in this resync's pass");
        for (String outcome : new String[] {"changed", "quiet", "failed"}) {
            passes(outcome);
        }
    }

    private void gauge(String name, AtomicLong value, String description) {
        Gauge.builder(name, value, AtomicLong::get).description(description).register(registry);
    }

    /** Counts one pass: {@code changed}, {@code quiet} or {@code failed}. */
    public void passDone(String outcome) {
        passes(outcome).increment();
    }

    private Counter passes(String outcome) {
        return Counter.builder("pohmelfs.node.resync.passes").tag("outcome", outcome)
                .description("resync passes by outcome").register(registry);
    }

    void started(String sourceId, long now) {
        source = sourceId;
        startedAt = now;
        objectsDone.set(0);
        bytesDone.set(0);
        objectsLeft.set(0);
        bytesLeft.set(0);
        phase = ResyncProgress.Phase.PLANNING;
        active.set(1);
    }

    void phase(ResyncProgress.Phase p) {
        phase = p;
    }

    void ended(ResyncProgress.Phase p) {
        phase = p;
        objectsLeft.set(0);
        bytesLeft.set(0);
        active.set(0);
    }

    public boolean active() {
        return active.get() == 1;
    }

    @Override
    public void planned(long objects, long bytes) {
        objectsLeft.set(objects);
        bytesLeft.set(bytes);
        phase = ResyncProgress.Phase.COPYING;
    }

    @Override
    public void done(long objects, long bytes) {
        objectsDone.addAndGet(objects);
        bytesDone.addAndGet(bytes);
        objectsLeft.accumulateAndGet(objects, (l, d) -> Math.max(0, l - d));
        bytesLeft.accumulateAndGet(bytes, (l, d) -> Math.max(0, l - d));
    }

    /** The figures now, as published in ZooKeeper. */
    public ResyncProgress snapshot(long now) {
        return new ResyncProgress(node, phase, source, objectsDone.get(), objectsLeft.get(), bytesDone.get(),
                bytesLeft.get(), startedAt, now);
    }
}
