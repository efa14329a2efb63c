package org.pohmelfs.gateway.admin;

import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.pohmelfs.gateway.config.GatewayProperties;
import org.pohmelfs.gateway.nodes.NodeSet;
import org.pohmelfs.gateway.replication.MapSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Wires the admin API: the membership operations, their metrics, and the poll of resync progress. */
@Configuration(proxyBeanMethods = false)
class AdminConfiguration {
    private static final Logger log = LoggerFactory.getLogger(AdminConfiguration.class);
    /** How often the resync progress gauges are refreshed from ZooKeeper. */
    static final Duration PROGRESS_POLL = Duration.ofSeconds(2);

    @Bean
    AdminMetrics adminMetrics(MeterRegistry registry) {
        return new AdminMetrics(registry);
    }

    @Bean
    Membership membership(NodeSet nodes, AdminMetrics metrics, GatewayProperties p) {
        // A write sent before the removal settles by its deadline at the latest (the authority's is the longest).
        Duration drain = p.replication().authorityTimeout().plus(p.replication().nodeTimeout());
        return new Membership(nodes.replicas(), metrics, drain);
    }

    /** Keeps the resync gauges of /actuator/prometheus current (only with ZooKeeper: nobody publishes otherwise). */
    /** The poll's thread, stopped with the context. */
    static final class ProgressPoll implements AutoCloseable {
        private final ScheduledExecutorService executor;

        ProgressPoll(ScheduledExecutorService executor) {
            this.executor = executor;
        }

        @Override
        public void close() {
            executor.shutdownNow();
        }
    }

    @Bean(destroyMethod = "close")
    ProgressPoll resyncProgressPoll(NodeSet nodes, AdminMetrics metrics) {
        ScheduledExecutorService poll = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().name("resync-progress-poll").daemon().factory());
        MapSource source = nodes.replicas().source();
        if (source.canFence()) {
            poll.scheduleWithFixedDelay(() -> {
                try {
                    metrics.progress(source.progress());
                } catch (Exception e) {
                    log.debug("resync progress not read: {}", e.toString());
                    metrics.progress(List.of());
                }
            }, 0, PROGRESS_POLL.toMillis(), TimeUnit.MILLISECONDS);
        }
        return new ProgressPoll(poll);
    }
}
