package org.pohmelfs.gateway.replication;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.pohmelfs.cluster.ClusterMap;
import org.pohmelfs.cluster.Member;

/**
 * Replication metrics on {@code /actuator/prometheus} (names below, Prometheus adds
 * {@code _total} and units): per node {@code pohmelfs.gateway.replication.reads} and
 * {@code .writes} (requests, tag {@code node}), {@code .read.bytes} (file bytes that node's READ
 * replies carried to this gateway, tag {@code node}), {@code .node.state} (2 IN_SYNC, 1 RESYNCING, 0 OUT),
 * {@code .in.sync} (size of the in-sync set), {@code .epoch}, {@code .resends} (a write sent
 * again to the same node after a lost connection or BUSY), {@code .map.refreshes} (a write sent
 * again at a newer epoch after STALE_EPOCH), {@code .fencings} (nodes this gateway marked OUT),
 * {@code .read.failovers} (a read moved to another node) and the timer {@code .write.latency}.
 */
final class ReplicationMetrics {
    private static final String P = "pohmelfs.gateway.replication.";

    private final MeterRegistry registry;
    private final AtomicLong epoch = new AtomicLong();
    private final AtomicLong inSync = new AtomicLong();
    private final MultiGauge states;
    private final Counter resends;
    private final Counter refreshes;
    private final Counter fencings;
    private final Counter failovers;
    private final Timer writeLatency;
    private final Counter holds;
    private final Counter unholds;
    private final Counter unholdFailures;

    ReplicationMetrics(MeterRegistry registry) {
        this.registry = registry;
        Gauge.builder(P + "epoch", epoch, AtomicLong::get).description("Epoch of the cluster map in use")
                .register(registry);
        Gauge.builder(P + "in.sync", inSync, AtomicLong::get).description("Members of the in-sync set")
                .register(registry);
        this.states = MultiGauge.builder(P + "node.state").description("Per node: 2 IN_SYNC, 1 RESYNCING, 0 OUT")
                .register(registry);
        this.resends = Counter.builder(P + "resends").description("Writes resent to the same node").register(registry);
        this.refreshes = Counter.builder(P + "map.refreshes")
                .description("Writes resent at a newer epoch after STALE_EPOCH").register(registry);
        this.fencings = Counter.builder(P + "fencings").description("Nodes this gateway marked OUT")
                .register(registry);
        this.failovers = Counter.builder(P + "read.failovers").description("Reads moved to another node")
                .register(registry);
        this.holds = Counter.builder(P + "holds")
                .description("Writes the lock authority held (HOLD) until every replica had them (design.md §4.7)")
                .register(registry);
        this.unholds = Counter.builder(P + "unholds").tag("result", "ok")
                .description("UNHOLDs sent to the lock authority after the answer").register(registry);
        this.unholdFailures = Counter.builder(P + "unholds").tag("result", "failed")
                .description("UNHOLDs sent to the lock authority after the answer").register(registry);
        this.writeLatency = Timer.builder(P + "write.latency").description("Replicated writes, until the answer")
                .publishPercentileHistogram().register(registry);
    }

    void map(ClusterMap map, long wireEpoch) {
        epoch.set(wireEpoch);
        inSync.set(map.readSet().size());
        states.register(map.members().stream()
                .map(m -> MultiGauge.Row.of(Tags.of("node", m.id()), state(m)))
                .toList(), true);
    }

    private static int state(Member m) {
        return switch (m.state()) {
            case IN_SYNC -> 2;
            case RESYNCING -> 1;
            case OUT -> 0;
        };
    }

    void read(String node) {
        registry.counter(P + "reads", "node", node).increment();
    }

    /** Counts the file bytes in {@code reply} (its DATA results) as read from {@code node}. */
    void readBytes(String node, org.pohmelfs.protocol.Message.Reply reply) {
        long bytes = 0;
        for (org.pohmelfs.protocol.Result r : reply.results()) {
            if (r instanceof org.pohmelfs.protocol.Result.Data d) {
                bytes += d.data().remaining();
            }
        }
        if (bytes > 0) {
            Counter.builder(P + "read.bytes").baseUnit("bytes").description("File bytes read from a node")
                    .tag("node", node).register(registry).increment(bytes);
        }
    }

    void write(String node) {
        registry.counter(P + "writes", "node", node).increment();
    }

    void resend() {
        resends.increment();
    }

    void refresh() {
        refreshes.increment();
    }

    void fenced(int nodes) {
        fencings.increment(nodes);
    }

    /** A RESYNCING member's reply differed from the reference: left to its resync, not fenced. */
    void diverged(String node) {
        Counter.builder(P + "resyncing.diverged").tag("node", node)
                .description("Replies of a RESYNCING member that differed from the reference (repaired by its resync, not fenced)")
                .register(registry).increment();
    }

    void failover() {
        failovers.increment();
    }

    void writeTook(Duration d) {
        writeLatency.record(d);
    }

    void held() {
        holds.increment();
    }

    void unheld(boolean ok) {
        (ok ? unholds : unholdFailures).increment();
    }
}
