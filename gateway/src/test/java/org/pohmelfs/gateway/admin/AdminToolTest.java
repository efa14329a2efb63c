package org.pohmelfs.gateway.admin;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.pohmelfs.cluster.MemberState;
import org.pohmelfs.cluster.ResyncProgress;
import org.pohmelfs.gateway.admin.cli.AdminTool;
import org.pohmelfs.gateway.rest.GatewayTestSupport;
import org.pohmelfs.gateway.testing.LocalNodes;
import org.pohmelfs.node.store.StoreSettings;
import org.springframework.context.ConfigurableApplicationContext;

/** The admin command line end to end against a real gateway (in this JVM) over real nodes and ZooKeeper. */
class AdminToolTest extends AdminCluster {
    record Run(int status, String out, String err) {
    }

    private Run run(ConfigurableApplicationContext gw, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Map<String, String> env = Map.of("POHMELFS_ADMIN_URL", GatewayTestSupport.baseUrl(gw),
                "POHMELFS_ADMIN_USER", "root", "POHMELFS_ADMIN_PASSWORD", "rootpw");
        int status = AdminTool.run(args, env, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void nodesAddWatchRemoveAndMap() throws Exception {
        initialize();
        ConfigurableApplicationContext gw = gateway("gw1");

        Run nodesRun = run(gw, "nodes");
        assertThat(nodesRun.status()).as(nodesRun.err()).isZero();
        assertThat(nodesRun.out()).startsWith("map epoch 1, lock authority node1\nID ")
                .contains("node1  " + nodes.get(0).address() + "  IN_SYNC  yes")
                .contains("node3");

        LocalNodes.Node node4 = nodes.addFollowing("node4", StoreSettings.defaults(Files.createDirectories(
                dir.resolve("node4"))), store);
        long t0 = System.currentTimeMillis();
        store.publishProgress(new ResyncProgress("node4", ResyncProgress.Phase.COPYING, "node1", 1, 3, 1 << 20, 3 << 20,
                t0 - 10_000, t0));
        // add --wait: a progress bar until node4 is IN_SYNC, which the map says once the test promotes it.
        CompletableFuture<Run> add = CompletableFuture.supplyAsync(() -> run(gw, "add", "node4", node4.address(), "--wait",
                "--interval", "100ms", "--timeout", "60s"));
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> member(json(admin(gw, "GET", "/nodes", null)),
                "node4").path("resync").path("phase").asString("").equals("COPYING"));
        Thread.sleep(300); // a few polls of the watch (a duration of the scenario, not a wait for a condition)
        store.update(m -> m.promote("node4"));
        store.clearProgress("node4");
        Run added = add.get();
        assertThat(added.status()).as(added.err()).isZero();
        assertThat(added.out()).startsWith("added node4 at " + node4.address() + ": RESYNCING\n")
                .contains("node4 [#######.......................] 25.0% 1.0 MiB of 4.0 MiB, 1 of 4 objects, 102.4 KiB/s, "
                        + "ETA 0:30 (COPYING from node1)")
                .endsWith("node4 is IN_SYNC\n");
        assertThat(store.read().orElseThrow().map().member("node4").orElseThrow().state()).isEqualTo(MemberState.IN_SYNC);

        Run watch = run(gw, "watch", "--interval", "100ms");
        assertThat(watch.status()).isZero();
        assertThat(watch.out()).isEqualTo("no member is resyncing (map epoch 3)\n");

        Run removed = run(gw, "remove", "node1");
        assertThat(removed.status()).as(removed.err()).isZero();
        assertThat(removed.out()).isEqualTo("removed node1: map epoch 5, lock authority node2 (handed over first)\n");

        Run map = run(gw, "map");
        assertThat(map.status()).isZero();
        assertThat(map.out()).contains("\"epoch\":5", "\"authority\":\"node2\"").doesNotContain("\"node1\"");

        Run refused = run(gw, "remove", "node9");
        assertThat(refused.status()).isEqualTo(1);
        assertThat(refused.err()).contains("404").contains("UNKNOWN_MEMBER");

        Run badUser = run(gw, "--user", "alice", "--password", "alicepw", "nodes");
        assertThat(badUser.status()).isEqualTo(1);
        assertThat(badUser.err()).contains("403");

        Run usage = run(gw, "frobnicate");
        assertThat(usage.status()).isEqualTo(2);
        assertThat(usage.err()).contains("unknown command frobnicate", "usage:");

        Run unreachable = run(gw, "--url", "http://127.0.0.1:1", "nodes");
        assertThat(unreachable.status()).isEqualTo(1);
        assertThat(unreachable.err()).contains("cannot reach http://127.0.0.1:1");
    }

    @Test
    void watchTimesOut() throws Exception {
        initialize();
        ConfigurableApplicationContext gw = gateway("gw1");
        store.update(m -> m.fence("node3").resync("node3"));
        Run watch = run(gw, "watch", "--interval", "100ms", "--timeout", "300ms");
        assertThat(watch.status()).isEqualTo(3);
        assertThat(watch.out()).contains("node3 [" + " ".repeat(30) + "] waiting for the node to publish its progress");
        assertThat(watch.err()).contains("still resyncing after PT0.3S");
    }
}
