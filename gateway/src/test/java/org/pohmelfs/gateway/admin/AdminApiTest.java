package org.pohmelfs.gateway.admin;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.pohmelfs.cluster.ClusterMap;
import org.pohmelfs.cluster.ClusterMapJson;
import org.pohmelfs.cluster.MemberState;
import org.pohmelfs.cluster.ResyncProgress;
import org.pohmelfs.gateway.rest.GatewayTestSupport;
import org.pohmelfs.gateway.testing.LocalNodes;
import org.pohmelfs.node.store.StoreSettings;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.JsonNode;

/**
 * The admin API against real nodes following a map in ZooKeeper: the listing (state,
 * authority, liveness, usage, resync progress), adding a member (RESYNCING, 201 with
 * Location, writes reach it, a second gateway follows), removing one (the authority is
 * handed over first; refusals as problem+json), the ADMIN role, a static node list, and the
 * admin change counter.
 */
class AdminApiTest extends AdminCluster {

    @Test
    void listsEveryMemberWithStateAuthorityLivenessUsageAndProgress() throws Exception {
        initialize();
        try (var live = store.registerLive("node2", nodes.get(1).address(), Duration.ofSeconds(10))) {
            ConfigurableApplicationContext gw = gateway("gw1");
            HttpResponse<String> r = admin(gw, "GET", "/nodes", null);
            assertThat(r.statusCode()).isEqualTo(200);
            JsonNode body = json(r);
            assertThat(body.path("epoch").asLong()).isEqualTo(1);
            assertThat(body.path("authority").asString()).isEqualTo("node1");
            assertThat(body.path("changeable").asBoolean()).isTrue();
            assertThat(body.path("nodes")).hasSize(3);
            JsonNode n1 = member(body, "node1");
            assertThat(n1.path("state").asString()).isEqualTo("IN_SYNC");
            assertThat(n1.path("authority").asBoolean()).isTrue();
            assertThat(n1.path("address").asString()).isEqualTo(nodes.get(0).address());
            assertThat(n1.path("live").asBoolean()).as("node1 never registered").isFalse();
            assertThat(member(body, "node2").path("live").asBoolean()).isTrue();
            assertThat(n1.path("usage").path("availableBytes").asLong()).isPositive();
            assertThat(n1.path("resync").isNull()).isTrue();

            long now = System.currentTimeMillis();
            store.publishProgress(new ResyncProgress("node3", ResyncProgress.Phase.COPYING, "node1", 10, 30, 1000, 3000,
                    now - 5000, now));
            JsonNode resync = member(json(admin(gw, "GET", "/nodes", null)), "node3").path("resync");
            assertThat(resync.path("phase").asString()).isEqualTo("COPYING");
            assertThat(resync.path("bytesDone").asLong()).isEqualTo(1000);
            assertThat(resync.path("bytesLeft").asLong()).isEqualTo(3000);
            assertThat(resync.path("objectsLeft").asLong()).isEqualTo(30);
            assertThat(resync.path("fraction").asDouble()).isEqualTo(0.25);
            // ... and on the Prometheus page (the gauges are polled from ZooKeeper)
            Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> send(gw, "GET", "/actuator/prometheus", null,
                    null).body().contains("pohmelfs_gateway_resync_bytes{application=\"pohmelfs-gateway\",kind=\"left\",node=\"node3\"} 3000.0"));

            HttpResponse<String> one = admin(gw, "GET", "/nodes/node2", null);
            assertThat(one.statusCode()).isEqualTo(200);
            assertThat(json(one).path("id").asString()).isEqualTo("node2");
            assertThat(admin(gw, "GET", "/nodes/nodeX", null).statusCode()).isEqualTo(404);

            HttpResponse<String> map = admin(gw, "GET", "/map", null);
            assertThat(map.statusCode()).isEqualTo(200);
            assertThat(ClusterMapJson.decode(map.body().getBytes())).isEqualTo(store.read().orElseThrow().map());
        }
    }

    @Test
    void anAddedNodeJoinsResyncingGetsWritesAndEveryGatewayFollowsWithoutARestart() throws Exception {
        initialize();
        ConfigurableApplicationContext gw1 = gateway("gw1");
        ConfigurableApplicationContext gw2 = gateway("gw2");
        LocalNodes.Node node4 = nodes.addFollowing("node4", StoreSettings.defaults(Files.createDirectories(
                dir.resolve("node4"))), store);

        HttpResponse<String> r = admin(gw1, "POST", "/nodes", "{\"id\":\"node4\",\"address\":\"" + node4.address() + "\"}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        assertThat(r.headers().firstValue("Location")).contains("/admin/v1/nodes/node4");
        assertThat(json(r).path("state").asString()).isEqualTo("RESYNCING");
        ClusterMap map = store.read().orElseThrow().map();
        assertThat(map.epoch()).isEqualTo(2);
        assertThat(map.member("node4").orElseThrow().state()).isEqualTo(MemberState.RESYNCING);

        // gw2 follows the map from ZooKeeper: its writes reach node4 too.
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> json(admin(gw2, "GET", "/nodes", null))
                .path("epoch").asLong() == 2);
        assertThat(send(gw2, "PUT", "/api/v1/files/after-add.txt", "hello", null).statusCode()).isEqualTo(201);
        // A RESYNCING member is sent every write but not waited for.
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> Files.exists(node4.export().resolve("after-add.txt")));
        assertThat(Files.readString(node4.export().resolve("after-add.txt"))).isEqualTo("hello");

        assertThat(admin(gw1, "GET", "/metrics/x", null).statusCode()).isEqualTo(404);
        assertThat(send(gw1, "GET", "/actuator/prometheus", null, null).body())
                .contains("pohmelfs_gateway_admin_changes_total{action=\"add\",application=\"pohmelfs-gateway\",outcome=\"ok\"} 1.0");
    }

    @Test
    void removingTheAuthorityHandsItOverFirstAndWritesGoOn() throws Exception {
        initialize();
        ConfigurableApplicationContext gw = gateway("gw1");
        assertThat(send(gw, "PUT", "/api/v1/files/before.txt", "one", null).statusCode()).isEqualTo(201);

        HttpResponse<String> r = admin(gw, "DELETE", "/nodes/node1", null);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonNode removed = json(r);
        assertThat(removed.path("authorityHandedOver").asBoolean()).isTrue();
        assertThat(removed.path("authority").asString()).isEqualTo("node2");
        assertThat(removed.path("drained").asBoolean()).isTrue();
        assertThat(removed.path("epoch").asLong()).as("hand-over, then removal").isEqualTo(3);
        ClusterMap map = store.read().orElseThrow().map();
        assertThat(map.member("node1")).isEmpty();
        assertThat(map.authority()).isEqualTo("node2");

        long node1Before = nodes.get(0).requests();
        assertThat(send(gw, "PUT", "/api/v1/files/after.txt", "two", null).statusCode()).isEqualTo(201);
        assertThat(send(gw, "GET", "/api/v1/files/before.txt", null, null).body()).isEqualTo("one");
        assertThat(send(gw, "GET", "/api/v1/files/after.txt", null, null).body()).isEqualTo("two");
        assertThat(nodes.get(0).requests()).as("the removed node gets nothing").isEqualTo(node1Before);
        assertThat(Files.exists(nodes.get(0).export().resolve("after.txt"))).isFalse();
        assertThat(Files.readString(nodes.get(2).export().resolve("after.txt"))).isEqualTo("two");
    }

    @Test
    void refusalsAreProblemJson() throws Exception {
        initialize();
        store.update(m -> m.fence("node2").fence("node3"));
        ConfigurableApplicationContext gw = gateway("gw1");
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> json(admin(gw, "GET", "/nodes", null))
                .path("epoch").asLong() == 3);

        HttpResponse<String> last = admin(gw, "DELETE", "/nodes/node1", null);
        assertThat(last.statusCode()).isEqualTo(409);
        assertThat(last.headers().firstValue("Content-Type")).contains("application/problem+json");
        assertThat(json(last).path("code").asString()).isEqualTo("LAST_IN_SYNC");
        assertThat(json(last).path("detail").asString()).contains("node1");

        HttpResponse<String> unknown = admin(gw, "DELETE", "/nodes/node9", null);
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(json(unknown).path("code").asString()).isEqualTo("UNKNOWN_MEMBER");

        HttpResponse<String> duplicate = admin(gw, "POST", "/nodes", "{\"id\":\"node2\",\"address\":\"127.0.0.1:9\"}");
        assertThat(duplicate.statusCode()).isEqualTo(409);
        assertThat(json(duplicate).path("code").asString()).isEqualTo("DUPLICATE_MEMBER");

        HttpResponse<String> malformed = admin(gw, "POST", "/nodes", "{\"id\":\"node5\",\"address\":\"nowhere\"}");
        assertThat(malformed.statusCode()).isEqualTo(400);
        assertThat(json(malformed).path("code").asString()).isEqualTo("INVALID_ARGUMENT");

        HttpResponse<String> notJson = admin(gw, "POST", "/nodes", "id=node5");
        assertThat(notJson.statusCode()).isEqualTo(415);
        HttpResponse<String> broken = admin(gw, "POST", "/nodes", "{\"id\":");
        assertThat(broken.statusCode()).isEqualTo(400);
        assertThat(json(broken).path("code").asString()).isEqualTo("INVALID_ARGUMENT");

        // an OUT member may go
        assertThat(admin(gw, "DELETE", "/nodes/node3", null).statusCode()).isEqualTo(200);
        assertThat(send(gw, "GET", "/actuator/prometheus", null, null).body())
                .contains("pohmelfs_gateway_admin_changes_total{action=\"remove\",application=\"pohmelfs-gateway\",outcome=\"refused\"} 2.0")
                .contains("pohmelfs_gateway_admin_changes_total{action=\"remove\",application=\"pohmelfs-gateway\",outcome=\"ok\"} 1.0");
    }

    @Test
    void everyAdminEndpointNeedsTheAdminRoleEvenWhenTheFileApiIsOpen() throws Exception {
        initialize();
        ConfigurableApplicationContext open = gateway("gw-open");
        ConfigurableApplicationContext secured = gateway("gw-auth", "--pohmelfs.gateway.auth.enabled=true");
        for (ConfigurableApplicationContext gw : new ConfigurableApplicationContext[] {open, secured}) {
            for (String[] call : new String[][] {{"GET", "/nodes"}, {"GET", "/map"}, {"GET", "/nodes/node1"},
                    {"POST", "/nodes"}, {"DELETE", "/nodes/node3"}}) {
                String body = call[0].equals("POST") ? "{\"id\":\"x\",\"address\":\"127.0.0.1:9\"}" : null;
                assertThat(send(gw, call[0], "/admin/v1" + call[1], body, null).statusCode()).as("anonymous " + call[1])
                        .isEqualTo(401);
                assertThat(send(gw, call[0], "/admin/v1" + call[1], body, "root:wrong").statusCode()).isEqualTo(401);
                assertThat(send(gw, call[0], "/admin/v1" + call[1], body, WRITER).statusCode()).as("writer " + call[1])
                        .isEqualTo(403);
            }
            assertThat(admin(gw, "GET", "/nodes", null).statusCode()).isEqualTo(200);
        }
        assertThat(send(open, "GET", "/api/v1/usage", null, null).statusCode()).as("file API stays open").isEqualTo(200);
        assertThat(send(secured, "GET", "/api/v1/usage", null, null).statusCode()).isEqualTo(401);
        assertThat(send(secured, "PUT", "/api/v1/files/a.txt", "a", ADMIN).statusCode()).as("an admin also writes")
                .isEqualTo(201);
        assertThat(store.read().orElseThrow().map().epoch()).as("nothing changed").isEqualTo(1);
    }

    @Test
    void aStaticNodeListIsListedAndRefusesChanges() throws Exception {
        String[] args = AdminCluster.users().toArray(String[]::new);
        ConfigurableApplicationContext gw = GatewayTestSupport.startGateway("gw-static", nodes.addresses(), args);
        gateways.add(gw);
        JsonNode body = json(admin(gw, "GET", "/nodes", null));
        assertThat(body.path("changeable").asBoolean()).isFalse();
        assertThat(body.path("nodes")).hasSize(3);
        assertThat(member(body, nodes.get(0).address()).path("state").asString()).isEqualTo("IN_SYNC");
        assertThat(member(body, nodes.get(0).address()).path("live").isNull()).as("no ZooKeeper to tell").isTrue();
        assertThat(member(body, nodes.get(0).address()).path("usage").path("availableBytes").asLong()).isPositive();

        HttpResponse<String> add = admin(gw, "POST", "/nodes", "{\"id\":\"node4\",\"address\":\"127.0.0.1:9\"}");
        assertThat(add.statusCode()).isEqualTo(409);
        assertThat(json(add).path("code").asString()).isEqualTo("STATIC_MAP");
        assertThat(json(add).path("detail").asString()).contains("static");
        HttpResponse<String> remove = admin(gw, "DELETE", "/nodes/" + nodes.get(2).address(), null);
        assertThat(remove.statusCode()).isEqualTo(409);
        assertThat(json(remove).path("code").asString()).isEqualTo("STATIC_MAP");
    }
}
