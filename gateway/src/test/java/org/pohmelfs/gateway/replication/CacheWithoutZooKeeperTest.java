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
 * authority moves, so its lease cache serves nothing until the connection is back (design.md
 * §4.4); requests meanwhile are answered uncached.
 */
class CacheWithoutZooKeeperTest extends ReplicaCluster {
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
}
