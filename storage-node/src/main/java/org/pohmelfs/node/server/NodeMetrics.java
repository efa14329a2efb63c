package org.pohmelfs.node.server;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.pohmelfs.protocol.Command;
import org.pohmelfs.protocol.Message;
import org.pohmelfs.protocol.Result;

/**
 * The node's protocol metrics: transactions by command and outcome (with latency histograms),
 * bytes read and written, open connections, refused handshakes.
 */
public final class NodeMetrics {
    private final MeterRegistry registry;
    private final AtomicInteger connections = new AtomicInteger();
    private final Counter bytesIn;
    private final Counter bytesOut;
    private final Counter refused;
    /** Timers by "command/outcome": a registry lookup per request costs more than the record. */
    private final Map<String, Timer> timers = new ConcurrentHashMap<>();

    public NodeMetrics(MeterRegistry registry) {
        this.registry = registry;
        registry.gauge("pohmelfs.node.connections", connections);
        this.bytesIn = Counter.builder("pohmelfs.node.bytes.written").baseUnit("bytes")
                .description("file data written by clients").register(registry);
        this.bytesOut = Counter.builder("pohmelfs.node.bytes.read").baseUnit("bytes")
                .description("file data read by clients").register(registry);
        this.refused = Counter.builder("pohmelfs.node.handshakes.refused")
                .description("connections refused at the handshake (version, cluster, TLS, checksum)").register(registry);
    }

    void connectionOpened() {
        connections.incrementAndGet();
    }

    void connectionClosed() {
        connections.decrementAndGet();
    }

    void handshakeRefused() {
        refused.increment();
    }

    /** Records one finished transaction. */
    void recordRequest(Message.Request request, Message.Reply reply, long nanos) {
        List<Command> commands = request.commands();
        String command = commands.size() == 1 ? name(commands.getFirst()) : "transaction";
        Result.Error error = reply.firstError();
        String outcome = reply.ok() ? "ok" : error == null ? "aborted" : error.code().name().toLowerCase(Locale.ROOT);
        timers.computeIfAbsent(command + '/' + outcome, k -> Timer.builder("pohmelfs.node.requests")
                        .description("transactions by command and outcome")
                        .tags("command", command, "outcome", outcome)
                        .publishPercentileHistogram()
                        .register(registry))
                .record(nanos, TimeUnit.NANOSECONDS);
        for (Command c : commands) {
            if (c instanceof Command.Write w) {
                bytesIn.increment(w.data().remaining());
            }
        }
        for (Result r : reply.results()) {
            if (r instanceof Result.Data d) {
                bytesOut.increment(d.data().remaining());
            }
        }
    }

    static String name(Command c) {
        return c instanceof Command.Write w && w.unstable() ? "write_unstable" : NAMES.get(c.getClass());
    }

    private static final ClassValue<String> NAMES = new ClassValue<>() {
        @Override
        protected String computeValue(Class<?> type) {
            return type.getSimpleName().toLowerCase(Locale.ROOT);
        }
    };
}
