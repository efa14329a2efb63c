package org.pohmelfs.gateway.admin;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.pohmelfs.cluster.ClusterMap;
import org.pohmelfs.cluster.Member;
import org.pohmelfs.cluster.MemberState;
import org.pohmelfs.gateway.testing.LocalNodes;
import org.pohmelfs.node.store.StoreSettings;
import org.pohmelfs.testing.FaultProxy;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * What membership changes do to the rest of the gateway: the usage figures (REST usage and
 * WebDAV's RFC 4331 quota properties) come from the IN_SYNC members, so a smaller member changes
 * them when it joins the in-sync set and again when it leaves; and a write in flight to a member
 * that is removed meanwhile drains (it is answered 2xx, not failed) before the removal answers.
 */
class MembershipChangesTest extends AdminCluster {
    private static final long SMALL = 1024 * 1024;
    private static final String QUOTA_PROPFIND = "<?xml version=\"1.0\" encoding=\"utf-8\" ?><D:propfind xmlns:D=\"DAV:\">"
            + "<D:prop><D:quota-available-bytes/><D:quota-used-bytes/></D:prop></D:propfind>";

    @Test
    void usageAndQuotaFollowTheInSyncMembers() throws Exception {
        initialize();
        ConfigurableApplicationContext gw = gateway("gw1"); // caching on: quota figures are kept, but not across maps
        long before = available(gw);
        assertThat(before).isGreaterThan(SMALL);
        assertThat(quotaAvailable(gw)).isGreaterThan(SMALL);

        LocalNodes.Node small = nodes.addFollowing("node4", StoreSettings.defaults(Files.createDirectories(
                dir.resolve("node4"))).withSizeLimit(SMALL), store);
        assertThat(admin(gw, "POST", "/nodes", "{\"id\":\"node4\",\"address\":\"" + small.address() + "\"}").statusCode())
                .isEqualTo(201);
        assertThat(available(gw)).as("a RESYNCING member does not count").isGreaterThan(SMALL);

        store.update(m -> m.promote("node4")); // what the node's resync will do when it is done
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> available(gw) <= SMALL);
        assertThat(quotaAvailable(gw)).isLessThanOrEqualTo(SMALL);
        assertThat(json(send(gw, "GET", "/api/v1/usage", null, null)).path("sizeLimitBytes").asLong()).isEqualTo(SMALL);

        assertThat(admin(gw, "DELETE", "/nodes/node4", null).statusCode()).isEqualTo(200);
        assertThat(available(gw)).isGreaterThan(SMALL);
        assertThat(quotaAvailable(gw)).isGreaterThan(SMALL);
        assertThat(json(send(gw, "GET", "/api/v1/usage", null, null)).path("sizeLimitBytes").asLong()).isZero();
    }

    @Test
    void aWriteInFlightToARemovedMemberDrainsAndIsAcknowledged() throws Exception {
        // node3 behind a proxy that will hold its bytes. The deadlines are far beyond the test's timeout: the
        // write can only be answered through node3's own reply, which the drain lets through once the proxy passes
        // (a link closed at the map change would leave the write resending into nothing until its deadline).
        try (FaultProxy proxy = FaultProxy.start(nodes.get(2).address())) {
            java.util.List<Member> members = new java.util.ArrayList<>();
            for (int i = 0; i < 2; i++) {
                members.add(new Member("node" + (i + 1), "127.0.0.1", nodes.get(i).server().port(), MemberState.IN_SYNC));
            }
            members.add(new Member("node3", "127.0.0.1", proxy.port(), MemberState.IN_SYNC));
            store.initialize(ClusterMap.bootstrap(members));
            ConfigurableApplicationContext gw = gateway("gw1", "--pohmelfs.gateway.replication.node-timeout=10m",
                    "--pohmelfs.gateway.replication.authority-timeout=10m");
            assertThat(send(gw, "PUT", "/api/v1/files/warm.txt", "warm", null).statusCode()).isEqualTo(201);

            proxy.blackhole();
            CompletableFuture<HttpResponse<String>> put = CompletableFuture.supplyAsync(() -> {
                try {
                    return send(gw, "PUT", "/api/v1/files/in-flight.txt", "payload", null);
                } catch (Exception e) {
                    throw new java.util.concurrent.CompletionException(e);
                }
            });
            // Applied on node1 and node2; waiting for node3, which cannot answer.
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> Files.exists(nodes.get(1).export()
                    .resolve("in-flight.txt")) && Files.exists(nodes.get(0).export().resolve("in-flight.txt")));
            assertThat(put).isNotDone();

            CompletableFuture<HttpResponse<String>> remove = CompletableFuture.supplyAsync(() -> {
                try {
                    return admin(gw, "DELETE", "/nodes/node3", null);
                } catch (Exception e) {
                    throw new java.util.concurrent.CompletionException(e);
                }
            });
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> store.read().orElseThrow().map()
                    .member("node3").isEmpty());
            assertThat(remove).as("the removal waits for the write in flight to node3").isNotDone();
            proxy.pass(); // node3 gets the request (at the old epoch) and answers

            HttpResponse<String> written = put.get();
            assertThat(written.statusCode()).as(written.body()).isEqualTo(201);
            HttpResponse<String> removed = remove.get();
            assertThat(removed.statusCode()).as(removed.body()).isEqualTo(200);
            assertThat(json(removed).path("drained").asBoolean()).isTrue();
            assertThat(send(gw, "GET", "/api/v1/files/in-flight.txt", null, null).body()).isEqualTo("payload");
            ClusterMap after = store.read().orElseThrow().map();
            assertThat(after.inState(MemberState.IN_SYNC)).extracting(Member::id).containsExactly("node1", "node2");
            assertThat(after.inState(MemberState.OUT)).as("nobody fenced").isEmpty();

            long node3Before = nodes.get(2).requests();
            assertThat(send(gw, "PUT", "/api/v1/files/later.txt", "later", null).statusCode()).isEqualTo(201);
            assertThat(send(gw, "GET", "/api/v1/files/later.txt", null, null).body()).isEqualTo("later");
            assertThat(nodes.get(2).requests()).as("the removed node gets no new request").isEqualTo(node3Before);
        }
    }

    private static long available(ConfigurableApplicationContext gw) throws Exception {
        HttpResponse<String> r = send(gw, "GET", "/api/v1/usage", null, null);
        assertThat(r.statusCode()).isEqualTo(200);
        return json(r).path("availableBytes").asLong();
    }

    private static long quotaAvailable(ConfigurableApplicationContext gw) throws Exception {
        HttpResponse<String> r = send(gw, "PROPFIND", "/dav/", QUOTA_PROPFIND, null);
        assertThat(r.statusCode()).isEqualTo(207);
        Matcher m = Pattern.compile("quota-available-bytes>(\\d+)<").matcher(r.body());
        assertThat(m.find()).as(r.body()).isTrue();
        return Long.parseLong(m.group(1));
    }
}
