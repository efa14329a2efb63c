package org.pohmelfs.gateway.replication;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.http.HttpResponse;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.pohmelfs.testing.FaultProxy;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * A split read whose node goes away (design.md §4.3): three real in-JVM nodes, node3 behind a
 * {@link FaultProxy} that is cut (every connection closed, new ones reset) before a 32 MiB GET.
 * The GET is whole and byte-identical; the chunks node3 was given move to the others, and the
 * rest of the read keeps away from node3, so the read moves only a few chunks, not one per
 * chunk it would otherwise have placed on node3 (a third of 32).
 */
class SplitReadFailoverTest extends ReplicaCluster {
    private static final int SIZE = 32 * 1024 * 1024;

    @Test
    void aReadWhoseNodeIsCutOffEndsWholeOnTheOthersAndAvoidsThatNode() throws Exception {
        FaultProxy proxy = FaultProxy.start(nodes.get(2).address());
        proxies.add(proxy);
        initialize(nodes.get(0).address(), nodes.get(1).address(), proxy.address());
        // Deadlines long enough that a loaded machine does not fence a slow node during the PUT.
        ConfigurableApplicationContext gw = gateway("gw-split", "--pohmelfs.gateway.replication.node-timeout=30s",
                "--pohmelfs.gateway.replication.authority-timeout=30s");
        byte[] body = new byte[SIZE];
        new Random(3).nextBytes(body);
        assertThat(send(gw, "PUT", "/api/v1/files/big.bin", body).statusCode()).isEqualTo(201);
        assertThat(store.read().orElseThrow().map().epoch()).as("nobody was fenced").isEqualTo(1);
        MeterRegistry registry = gw.getBean(MeterRegistry.class);
        // With every node up, one GET is shared by all three.
        double[] before = {bytes(registry, "node1"), bytes(registry, "node2"), bytes(registry, "node3")};
        HttpResponse<byte[]> first = send(gw, "GET", "/api/v1/files/big.bin", null);
        assertThat(first.statusCode()).isEqualTo(200);
        assertThat(first.body()).isEqualTo(body);
        for (int i = 0; i < 3; i++) {
            assertThat(bytes(registry, "node" + (i + 1)) - before[i]).as("node%d's share", i + 1).isGreaterThan(0);
        }

        proxy.cut();
        double failovers = registry.counter("pohmelfs.gateway.replication.read.failovers").count();
        double node3 = bytes(registry, "node3");
        HttpResponse<byte[]> get = send(gw, "GET", "/api/v1/files/big.bin", null);
        assertThat(get.statusCode()).isEqualTo(200);
        assertThat(get.body()).isEqualTo(body);
        assertThat(bytes(registry, "node3")).as("nothing read from the cut node").isEqualTo(node3);
        // At most the chunks in flight on node3 when it failed (6 in flight over three nodes) move.
        assertThat(registry.counter("pohmelfs.gateway.replication.read.failovers").count() - failovers)
                .as("chunks moved off node3").isBetween(1.0, 6.0);
    }

    private static double bytes(MeterRegistry registry, String node) {
        Counter c = registry.find("pohmelfs.gateway.replication.read.bytes").tag("node", node).counter();
        return c == null ? 0 : c.count();
    }
}
