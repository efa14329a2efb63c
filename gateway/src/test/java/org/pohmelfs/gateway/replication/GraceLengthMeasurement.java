package org.pohmelfs.gateway.replication;

import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.pohmelfs.gateway.testing.LocalNodes;

/** Not a test: how long a new authority's grace lasts with two connected gateways (prints figures). */
class GraceLengthMeasurement extends ReplicaCluster {
    @Test
    void measure() throws Exception {
        initialize();
        gateway("gw-a");
        gateway("gw-b");
        await().atMost(Duration.ofSeconds(20)).until(() -> store.gatewayEpochs().size() == 2);
        List<String> out = new ArrayList<>();
        String[] order = {"node2", "node3", "node1"};
        for (int i = 0; i < 30; i++) {
            String next = order[i % 3];
            LocalNodes.Node n = nodes.nodes().stream().filter(x -> x.id().equals(next)).findFirst().orElseThrow();
            double before = count(n);
            long t0 = System.nanoTime();
            store.update(m -> m.handAuthorityTo(next));
            await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(1)).until(() -> count(n) > before);
            long seen = System.nanoTime() - t0;
            out.add(String.format("%s %.1fms(gauge %.3fs, gw=%s)", next, seen / 1e6,
                    n.registry().get("pohmelfs.node.authority.grace.last").gauge().value(),
                    n.registry().get("pohmelfs.node.authority.graces").tag("ended", "gateways").counter().count()));
        }
        System.err.println("GRACE " + out);
    }

    private static double count(LocalNodes.Node n) {
        return n.registry().get("pohmelfs.node.authority.graces").tag("ended", "gateways").counter().count()
                + n.registry().get("pohmelfs.node.authority.graces").tag("ended", "timeout").counter().count();
    }
}
