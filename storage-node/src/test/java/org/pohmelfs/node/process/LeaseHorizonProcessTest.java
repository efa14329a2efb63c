package org.pohmelfs.node.process;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pohmelfs.testing.NodeProcess;
import org.pohmelfs.client.ClientSettings;
import org.pohmelfs.client.NodeClient;
import org.pohmelfs.client.NodeConnection;
import org.pohmelfs.coherence.LockMode;
import org.pohmelfs.coherence.LockScope;
import org.pohmelfs.protocol.Command;
import reactor.core.publisher.Mono;

/**
 * The grace period after a start comes from the persisted lease horizon (design.md §3.6): none
 * on a fresh export, a full lease duration after a SIGKILL that left leases behind (and nothing
 * conflicting granted before they could have run out), only what is left of the leases after a
 * clean stop, and none once the horizon has passed. Real node processes on free loopback ports.
 */
class LeaseHorizonProcessTest {
    private static final long L_MILLIS = 4_000;
    private static final String L = "--pohmelfs.node.lease-duration=" + L_MILLIS + "ms";

    @TempDir
    Path tmp;

    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void graceLastsOnlyUntilTheHorizonThePreviousIncarnationLeft() throws Exception {
        Path export = Files.createDirectories(tmp.resolve("export"));
        Path horizon = export.resolve(".pohmelfs/lease-horizon");
        NodeClient client = new NodeClient(ClientSettings.defaults("gw-test", "pohmelfs"));
        long sentAt;
        try (NodeProcess node = new NodeProcess(export, tmp.resolve("node1.log"), L).start()) {
            assertThat(grace(node)).as("a fresh export").isZero();
            assertThat(horizon).as("nothing granted yet").doesNotExist();
            NodeConnection c = client.connectWithLeases(node.address(), recall -> Mono.empty()).get(10, TimeUnit.SECONDS);
            sentAt = System.currentTimeMillis();
            c.acquire("/f", LockMode.EXCLUSIVE, LockScope.OBJECT).block(Duration.ofSeconds(10));
            assertThat(ByteBuffer.wrap(Files.readAllBytes(horizon)).getLong()).as("written before the grant")
                    .isGreaterThanOrEqualTo(sentAt + L_MILLIS);
            node.kill(); // SIGKILL: the X lease on /f may still be cached by its holder
            c.close();
        }

        try (NodeProcess node = new NodeProcess(export, tmp.resolve("node2.log"), L).start()) {
            assertThat(grace(node)).as("after a SIGKILL with leases out: a full L").isEqualTo(L_MILLIS / 1000.0);
            try (NodeConnection c = client.connectWithLeases(node.address(), recall -> Mono.empty()).get(10, TimeUnit.SECONDS)) {
                c.acquire("/f", LockMode.EXCLUSIVE, LockScope.OBJECT).block(Duration.ofSeconds(30));
                assertThat(System.currentTimeMillis()).as("no conflicting grant before the old lease could end")
                        .isGreaterThanOrEqualTo(sentAt + L_MILLIS);
                // A clean stop while this lease is held: the next start waits only for what is left of it.
            }
        }

        try (NodeProcess node = new NodeProcess(export, tmp.resolve("node3.log"), L).start()) {
            // Without the exact horizon written at the stop, the amortised one (6 L ahead) would give a full L.
            assertThat(grace(node)).as("after a clean stop: what was left of the leases").isGreaterThanOrEqualTo(0.0)
                    .isLessThan(L_MILLIS / 1000.0);
            try (NodeConnection c = client.connectBlocking(node.address())) {
                assertThat(c.execute(new Command.Write("/g", 0, ByteBuffer.wrap(new byte[] {1}), true))
                        .get(30, TimeUnit.SECONDS).ok()).isTrue();
            }
        }

        // A horizon in the past (the node was stopped long ago): no grace.
        Files.write(horizon, ByteBuffer.allocate(8).putLong(System.currentTimeMillis() - 1).array());
        try (NodeProcess node = new NodeProcess(export, tmp.resolve("node4.log"), L).start()) {
            assertThat(grace(node)).isZero();
        }
    }

    /** The grace period the node applied after its start, in seconds, from its Prometheus page. */
    private double grace(NodeProcess node) throws Exception {
        HttpResponse<String> prom = http.send(HttpRequest.newBuilder(URI.create(node.httpBase()
                + "/actuator/prometheus")).build(), HttpResponse.BodyHandlers.ofString());
        Matcher m = Pattern.compile("(?m)^pohmelfs_node_leases_grace_seconds(?:\\{[^}]*})? (\\S+)$").matcher(prom.body());
        assertThat(m.find()).as("grace gauge in %s", prom.body()).isTrue();
        return Double.parseDouble(m.group(1));
    }
}
