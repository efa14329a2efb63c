package org.pohmelfs.gateway.failover;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.pohmelfs.cluster.ClusterMap;
import org.pohmelfs.cluster.Member;
import org.pohmelfs.cluster.MemberState;
import org.pohmelfs.gateway.testing.GatewayProcess;
import org.pohmelfs.testing.NodeProcess;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Issue #6 at process level: three real storage-node processes that follow a map in an
 * embedded ZooKeeper, each behind a fault proxy, a real gateway process, and a mixed REST load
 * ({@link Workload}). Under the load one node is hung (SIGSTOP, then SIGCONT), cut off (proxy
 * blackholed, then passing again) or killed (SIGKILL, then restarted); last, a gateway and a
 * node are killed together and a new gateway is started. Checks ({@link FailoverHistory}): no
 * failed client request, no stale read, every acknowledged write readable afterwards through
 * the gateway with its last acknowledged content and present in the export of every IN_SYNC
 * member of the map; the latency p50/p99 during the fault is printed.
 *
 * <p>Each test starts a cluster of its own and faults two nodes in turn (the hang and the cut
 * share one cluster, four faults): first one of three IN_SYNC nodes that is not the lock
 * authority, then the authority. A faulted node is fenced
 * OUT by the gateway; once back it resyncs and may rejoin (issue #7, design.md §5), and is read
 * from only after that; the export check covers every IN_SYNC member of the map.
 */
@TestInstance(TestInstance.Lifecycle.PER_METHOD)
class NodeFailoverTest {
    private static final Logger log = LoggerFactory.getLogger(NodeFailoverTest.class);
    private static final long T0 = System.nanoTime();
    private static final int CLIENTS = 4;
    /** How long the load runs before, during and after a fault: a duration the scenario sets, not a wait for a condition. */
    private static final long PHASE_MILLIS = 2_500;

    enum Fault { KILL, STOP, CUT }

    @TempDir
    Path dir;
    private FailoverCluster cluster;
    private GatewayProcess gateway;
    private int gateways;

    @BeforeEach
    void startCluster() throws Exception {
        cluster = FailoverCluster.start(dir, 3);
        gateway = cluster.startGateway("gw" + ++gateways);
    }

    @AfterEach
    void stopCluster() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
    }

    // A killed node is fenced OUT; it resyncs and rejoins after its restart (issue #7), so the
    // second fault hits the authority of the map as it is then.

    /**
     * Hangs, then cuts, on one cluster (a cluster start is most of a test's time): a 2.5 s hang or
     * cut is shorter than the deadlines, so it usually fences nothing; if it did, the cut part
     * waits until every member has resynced and is IN_SYNC again, so it starts from three.
     */
    @Test
    void sigstopThenCutOffOfANodeAndOfTheAuthorityUnderLoad() throws Exception {
        faultUnderLoad("node2", Fault.STOP);
        faultUnderLoad(cluster.map().authority(), Fault.STOP);
        Awaitility.await("all three IN_SYNC again").atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofMillis(200))
                .until(() -> cluster.map().members().stream().allMatch(m -> m.state() == MemberState.IN_SYNC));
        faultUnderLoad("node3", Fault.CUT);
        faultUnderLoad(cluster.map().authority(), Fault.CUT);
    }

    @Test
    void sigkillOfANodeThenOfTheAuthorityUnderLoad() throws Exception {
        faultUnderLoad("node2", Fault.KILL);
        faultUnderLoad(cluster.map().authority(), Fault.KILL);
    }

    @Test
    void aGatewayAndANodeThenAGatewayAndTheAuthorityFailingTogetherLoseNoAcknowledgedWrite() throws Exception {
        gatewayAndNodeFail("node3");
        gatewayAndNodeFail(cluster.map().authority());
    }

    private void faultUnderLoad(String nodeId, Fault fault) throws Exception {
        int i = cluster.index(nodeId);
        NodeProcess node = cluster.node(i);
        long faultStart;
        long faultEnd;
        List<Workload.Op> ops;
        String folder = "/" + fault.name().toLowerCase(java.util.Locale.ROOT) + "-" + nodeId;
        try (Workload load = new Workload(gateway.baseUrl(), folder, CLIENTS, 6, NodeFailoverTest::now).start()) {
            Thread.sleep(PHASE_MILLIS);
            faultStart = now();
            switch (fault) {
                case KILL -> node.kill();
                case STOP -> node.suspend();
                case CUT -> cluster.proxy(i).blackhole();
            }
            Thread.sleep(PHASE_MILLIS);
            switch (fault) {
                case KILL -> node.start();
                case STOP -> node.resume();
                case CUT -> cluster.proxy(i).pass();
            }
            faultEnd = now();
            Thread.sleep(PHASE_MILLIS);
            load.close();
            ops = load.ops();
        }
        FailoverHistory history = new FailoverHistory(ops);
        report(fault + " " + nodeId, history, faultStart, faultEnd);
        assertThat(history.failures()).as("failed client requests").isEmpty();
        assertThat(history.staleReads()).as("stale reads").isEmpty();
        checkAcknowledgedWrites(cluster, gateway, history);
    }

    private void gatewayAndNodeFail(String nodeId) throws Exception {
        NodeProcess node = cluster.node(cluster.index(nodeId));
        GatewayProcess doomed = gateway;
        List<Workload.Op> ops;
        try (Workload load = new Workload(doomed.baseUrl(), "/gateway-and-" + nodeId, CLIENTS, 7,
                NodeFailoverTest::now).start()) {
            Thread.sleep(PHASE_MILLIS);
            Thread killGateway = Thread.ofPlatform().start(() -> {
                try {
                    doomed.kill();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            node.kill();
            killGateway.join();
            load.close(); // the requests in flight at the kill fail: their clients were never answered
            ops = load.ops();
        }
        node.start();
        gateway = cluster.startGateway("gw" + ++gateways);
        FailoverHistory history = new FailoverHistory(ops);
        log.info("gateway and {} killed together: {} requests before, {} acknowledged files, {} unanswered",
                nodeId, history.size(), history.lastAcknowledged().size(), history.failures().size());
        assertThat(history.lastAcknowledged()).as("acknowledged writes before the kill").isNotEmpty();
        assertThat(history.staleReads()).as("stale reads").isEmpty();
        checkAcknowledgedWrites(cluster, gateway, history);
    }

    /**
     * Every acknowledged write readable through {@code gw} with its last acknowledged content
     * (or a later one whose answer was lost), and on disk in the exports that must have it.
     */
    private static void checkAcknowledgedWrites(FailoverCluster cluster, GatewayProcess gw, FailoverHistory history)
            throws Exception {
        Map<String, Integer> acked = history.lastAcknowledged();
        assertThat(acked).as("acknowledged writes").isNotEmpty();
        List<String> wrong = new ArrayList<>();
        try (HttpClient http = HttpClient.newHttpClient()) {
            for (Map.Entry<String, Integer> e : acked.entrySet()) {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(gw.baseUrl() + "/api/v1/files"
                        + e.getKey())).GET().build(), HttpResponse.BodyHandlers.ofString());
                int got = r.statusCode() == 200 ? Workload.version(e.getKey(), r.body()) : -r.statusCode();
                if (!history.accepts(e.getKey(), got)) {
                    wrong.add(e.getKey() + " through the gateway: " + got + ", acknowledged " + e.getValue());
                }
            }
        }
        ClusterMap map = cluster.map();
        for (Member m : map.readSet()) {
            Path export = cluster.export(m.id());
            for (Map.Entry<String, Integer> e : acked.entrySet()) {
                Path file = export.resolve(e.getKey().substring(1));
                int got = Files.isRegularFile(file)
                        ? Workload.version(e.getKey(), Files.readString(file, StandardCharsets.UTF_8)) : -404;
                if (!history.accepts(e.getKey(), got)) {
                    wrong.add(e.getKey() + " in " + m.id() + "'s export (" + m.state() + "): " + got + ", acknowledged "
                            + e.getValue());
                }
            }
        }
        assertThat(wrong).as("acknowledged writes lost or stale (map epoch %d: %s)", map.epoch(), map.members())
                .isEmpty();
    }

    private static void report(String what, FailoverHistory history, long faultStart, long faultEnd) {
        double[] during = history.latencyMillis(faultStart, faultEnd);
        double[] all = history.latencyMillis(Long.MIN_VALUE, Long.MAX_VALUE);
        String line = String.format("%s: %d requests, %d failed, %d stale reads; latency during the fault "
                        + "p50 %.1f ms p99 %.1f ms max %.1f ms (%d requests); whole run p50 %.1f ms p99 %.1f ms",
                what, history.size(), history.failures().size(), history.staleReads().size(),
                FailoverHistory.quantile(during, 0.5), FailoverHistory.quantile(during, 0.99),
                FailoverHistory.quantile(during, 1.0), during.length,
                FailoverHistory.quantile(all, 0.5), FailoverHistory.quantile(all, 0.99));
        log.info(line);
        history.failures().stream().limit(5).forEach(op -> log.info("  failed: {}", op));
    }

    private static long now() {
        return System.nanoTime() - T0;
    }
}
