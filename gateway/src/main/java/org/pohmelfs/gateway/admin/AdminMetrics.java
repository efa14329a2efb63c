package org.pohmelfs.gateway.admin;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import java.util.ArrayList;
import java.util.List;
import org.pohmelfs.cluster.ResyncProgress;

/**
 * Admin metrics on {@code /actuator/prometheus}: {@code pohmelfs.gateway.admin.changes} (map
 * changes asked through the admin API; tags {@code action} = add|remove, {@code outcome} =
 * ok|refused|failed), and the resync progress the resyncing nodes publish,
 * {@code pohmelfs.gateway.resync.bytes} and {@code pohmelfs.gateway.resync.objects} (tags
 * {@code node}, {@code kind} = done|left).
 */
public final class AdminMetrics {
    /** What became of an admin change. */
    public enum Outcome { OK, REFUSED, FAILED }

    private static final String P = "pohmelfs.gateway.";

    private final MeterRegistry registry;
    private final MultiGauge bytes;
    private final MultiGauge objects;

    public AdminMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.bytes = MultiGauge.builder(P + "resync.bytes").description("Resync content bytes per node, done and left")
                .baseUnit("bytes").register(registry);
        this.objects = MultiGauge.builder(P + "resync.objects").description("Resync objects per node, done and left")
                .register(registry);
    }

    public void change(String action, Outcome outcome) {
        Counter.builder(P + "admin.changes").description("Cluster map changes asked through the admin API")
                .tags("action", action, "outcome", outcome.name().toLowerCase(java.util.Locale.ROOT))
                .register(registry).increment();
    }

    /** The progress published now; nodes no longer publishing disappear from the gauges. */
    public void progress(List<ResyncProgress> now) {
        List<MultiGauge.Row<?>> b = new ArrayList<>();
        List<MultiGauge.Row<?>> o = new ArrayList<>();
        for (ResyncProgress p : now) {
            b.add(MultiGauge.Row.of(Tags.of("node", p.node(), "kind", "done"), p.bytesDone()));
            b.add(MultiGauge.Row.of(Tags.of("node", p.node(), "kind", "left"), p.bytesLeft()));
            o.add(MultiGauge.Row.of(Tags.of("node", p.node(), "kind", "done"), p.objectsDone()));
            o.add(MultiGauge.Row.of(Tags.of("node", p.node(), "kind", "left"), p.objectsLeft()));
        }
        bytes.register(b, true);
        objects.register(o, true);
    }
}
