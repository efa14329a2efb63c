package org.pohmelfs.gateway.replication;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.pohmelfs.cluster.MemberState;
import org.pohmelfs.gateway.testing.history.History;
import org.pohmelfs.gateway.testing.history.Linearizability;
import org.pohmelfs.gateway.testing.history.RegisterOp;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Coherence over three replicas (design.md §4.7): two gateways (one caching, one not) over three
 * nodes that follow a map in ZooKeeper; a randomized GET/PUT/DELETE history through both, with
 * a non-authority node stopped half-way, must be linearizable per object, and no client sees an
 * error. The seed is logged; {@code -Dpohmelfs.seed=N} replays the choices (not the schedule).
 */
class ReplicatedCoherenceTest extends ReplicaCluster {
    private static final Logger log = LoggerFactory.getLogger(ReplicatedCoherenceTest.class);

    @Test
    void randomHistoryThroughTwoGatewaysOverThreeReplicasIsLinearizableWhileANodeDies() throws Exception {
        initialize();
        List<ConfigurableApplicationContext> gws = List.of(gateway("gw-a"),
                gateway("gw-b", "--pohmelfs.gateway.cache.enabled=false"));
        long seed = Long.getLong("pohmelfs.seed", System.nanoTime());
        log.info("replicated coherence test: seed {} (rerun with -Dpohmelfs.seed={})", seed, seed);
        assertThat(send(gws.get(0), "POST", "/api/v1/files/lin?action=mkdir", null).statusCode()).isEqualTo(201);
        int clients = 4;
        int opsPerClient = 120;
        History history = new History(System::nanoTime);
        Map<String, AtomicInteger> statuses = new ConcurrentHashMap<>();
        AtomicInteger done = new AtomicInteger();
        CountDownLatch go = new CountDownLatch(1);
        try (ExecutorService pool = Executors.newFixedThreadPool(clients + 1)) {
            List<Future<?>> running = new ArrayList<>();
            for (int client = 0; client < clients; client++) {
                int process = client;
                running.add(pool.submit(() -> {
                    Random random = new Random(seed * 31 + process);
                    go.await();
                    for (int n = 0; n < opsPerClient; n++) {
                        ConfigurableApplicationContext gw = gws.get(random.nextInt(gws.size()));
                        String object = "o" + random.nextInt(3);
                        int dice = random.nextInt(10);
                        String method = dice < 5 ? "GET" : dice < 9 ? "PUT" : "DELETE";
                        op(history, statuses, process, gw, object, method, "p" + process + "-" + n);
                        done.incrementAndGet();
                    }
                    return null;
                }));
            }
            go.countDown();
            await().atMost(Duration.ofSeconds(120)).until(() -> done.get() >= clients * opsPerClient / 2);
            nodes.stop(nodes.get(2));
            for (Future<?> f : running) {
                f.get(150, TimeUnit.SECONDS);
            }
        }
        log.info("replicated coherence test: {} operations, HTTP statuses {}", done.get(), new TreeMap<>(statuses));
        for (Map.Entry<String, List<RegisterOp>> e : history.operations().entrySet()) {
            Linearizability.Result r = Linearizability.check(e.getValue());
            assertThat(r.linearizable()).as("object %s (seed %d, %d operations):%n%s", e.getKey(), seed,
                    e.getValue().size(), r.explanation()).isTrue();
        }
        assertThat(statuses.keySet()).filteredOn(k -> !k.matches("\\w+ (200|201|204|404)"))
                .as("answers other than success and 404: %s", statuses).isEmpty();
        assertThat(store.read().orElseThrow().map().member("node3").orElseThrow().state()).isEqualTo(MemberState.OUT);
    }

    private static void op(History history, Map<String, AtomicInteger> statuses, int process,
                           ConfigurableApplicationContext gw, String object, String method, String value) {
        String outcome = history.recordHttp(object, process, method, value,
                body -> send(gw, method, "/api/v1/files/lin/" + object, body));
        statuses.computeIfAbsent(method + " " + outcome, k -> new AtomicInteger()).incrementAndGet();
    }
}
