package org.pohmelfs.gateway.replication;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.pohmelfs.gateway.coherence.LeaseCache;
import org.pohmelfs.testing.FaultProxy;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * A gateway cut from ZooKeeper (through a {@link FaultProxy}) can no longer learn that the lock
 * authority moves (design.md §4.4): its lease cache serves nothing until the connection is back
 * (requests meanwhile are answered uncached), and a node that becomes the authority meanwhile
 * waits out its full grace for it, since its entry still shows the old epoch.
 */
class GatewayCutFromZooKeeperTest extends ReplicaCluster {
    @Test
    void aGatewayCutFromZooKeeperStopsServingFromItsCacheUntilItIsBack() throws Exception {
        initialize();
        FaultProxy zkLink = FaultProxy.start(zk.connectString());
        proxies.add(zkLink);
        ConfigurableApplicationContext gw = gateway("gw-z", "--pohmelfs.gateway.zookeeper.connect=" + zkLink.address(),
                "--pohmelfs.gateway.zookeeper.session-timeout=4s");
        LeaseCache cache = gw.getBean(LeaseCache.class);
        assertThat(send(gw, "PUT", "/api/v1/files/f", "v1".getBytes()).statusCode()).isEqualTo(201);
        assertThat(send(gw, "GET", "/api/v1/files/f", null).statusCode()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(20)).until(() -> cache.size() > 0);

        zkLink.blackhole();
        await().atMost(Duration.ofSeconds(30)).until(cache::suspended);
        assertThat(cache.size()).isZero();
        long before = nodes.get(0).requests(); // no RENEW now: the lease connection is closed
        var get = send(gw, "GET", "/api/v1/files/f", null);
        assertThat(get.statusCode()).isEqualTo(200);
        assertThat(new String(get.body(), StandardCharsets.UTF_8)).isEqualTo("v1");
        assertThat(cache.size()).as("nothing cached while cut off").isZero();
        assertThat(nodes.get(0).requests()).as("the GET asked the authority").isGreaterThan(before);

        zkLink.pass();
        await().atMost(Duration.ofSeconds(30)).until(() -> !cache.suspended());
        assertThat(send(gw, "GET", "/api/v1/files/f", null).statusCode()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(20)).until(() -> cache.size() > 0);
    }

    @Test
    void aNewAuthorityWaitsOutItsGraceForAGatewayCutFromZooKeeper() throws Exception {
        initialize();
        FaultProxy zkLink = FaultProxy.start(zk.connectString());
        proxies.add(zkLink);
        ConfigurableApplicationContext cut = gateway("gw-cut", "--pohmelfs.gateway.zookeeper.connect=" + zkLink.address(),
                "--pohmelfs.gateway.zookeeper.session-timeout=10s");
        ConfigurableApplicationContext ok = gateway("gw-ok");
        await().atMost(Duration.ofSeconds(20)).until(() -> java.util.Map.of("gw-cut", 1L, "gw-ok", 1L)
                .equals(store.gatewayEpochs()));
        assertThat(send(ok, "PUT", "/api/v1/files/f", "v1".getBytes()).statusCode()).isEqualTo(201);

        // First a move with both gateways connected: node2's grace ends when both applied epoch 2.
        // (L is 1 s here, so which end it takes is asserted only below, where a timeout is certain.)
        store.update(m -> m.handAuthorityTo("node2"));
        await().atMost(Duration.ofSeconds(20)).until(() -> java.util.Map.of("gw-cut", 2L, "gw-ok", 2L)
                .equals(store.gatewayEpochs()));
        await().atMost(Duration.ofSeconds(20)).until(() -> graces(nodes.get(1), "gateways")
                + graces(nodes.get(1), "timeout") == 1);

        // Now gw-cut cannot write its entry: its session lives on (10 s), its entry stays at 2.
        zkLink.blackhole();
        store.update(m -> m.handAuthorityTo("node3"));
        await().atMost(Duration.ofSeconds(20)).until(() -> store.gatewayEpochs().get("gw-ok") == 3L);
        assertThat(send(ok, "PUT", "/api/v1/files/g", "v2".getBytes()).statusCode()).isEqualTo(201);
        await().atMost(Duration.ofSeconds(20)).until(() -> graces(nodes.get(2), "timeout") == 1);
        assertThat(graces(nodes.get(2), "gateways")).isZero();
        assertThat(store.gatewayEpochs().get("gw-cut")).as("the cut gateway's entry lags").isEqualTo(2L);
        await().atMost(Duration.ofSeconds(30)).until(cut.getBean(LeaseCache.class)::suspended);

        zkLink.pass();
        await().atMost(Duration.ofSeconds(30)).until(() -> Long.valueOf(3L).equals(store.gatewayEpochs().get("gw-cut")));
        await().atMost(Duration.ofSeconds(30)).until(() -> !cut.getBean(LeaseCache.class).suspended());
        var get = send(cut, "GET", "/api/v1/files/g", null);
        assertThat(get.statusCode()).isEqualTo(200);
        assertThat(new String(get.body(), StandardCharsets.UTF_8)).isEqualTo("v2");
    }

    private static double graces(org.pohmelfs.gateway.testing.LocalNodes.Node n, String ended) {
        return n.registry().get("pohmelfs.node.authority.graces").tag("ended", ended).counter().count();
    }
}
