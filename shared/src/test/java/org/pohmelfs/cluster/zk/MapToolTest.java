package org.pohmelfs.cluster.zk;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.apache.curator.framework.CuratorFramework;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pohmelfs.cluster.ClusterMap;
import org.pohmelfs.cluster.Member;
import org.pohmelfs.cluster.MemberState;

/** The map command line against a real embedded ZooKeeper on a loopback ephemeral port. */
class MapToolTest {
    @TempDir
    Path dir;
    private EmbeddedZooKeeper zk;
    private CuratorFramework client;
    private ClusterMapStore store;
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    @BeforeEach
    void start() throws Exception {
        zk = EmbeddedZooKeeper.start(dir.resolve("zk"), 0, 200);
        client = ZkClients.start(zk.connectString(), Duration.ofSeconds(4));
        store = new ClusterMapStore(client, "c1");
    }

    @AfterEach
    void stop() {
        client.close();
        zk.close();
    }

    private int run(String... args) {
        out.reset();
        err.reset();
        return MapTool.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private ClusterMap map() throws Exception {
        return store.readLatest().orElseThrow().map();
    }

    @Test
    void initWritesTheBootstrapMapOnceAndLeavesAnExistingOne() throws Exception {
        String c = zk.connectString();
        assertThat(run("init", c, "c1", "node1=127.0.0.1:7070", "node2=127.0.0.1:7071", "node3=localhost:7072"))
                .isZero();
        ClusterMap first = ClusterMap.bootstrap(List.of(
                new Member("node1", "127.0.0.1", 7070, MemberState.IN_SYNC),
                new Member("node2", "127.0.0.1", 7071, MemberState.IN_SYNC),
                new Member("node3", "localhost", 7072, MemberState.IN_SYNC)));
        assertThat(map()).isEqualTo(first);
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("\"epoch\":1").contains("\"authority\":\"node1\"");

        store.update(m -> m.fence("node2"));
        assertThat(run("init", c, "c1", "other=127.0.0.1:9999")).isZero();
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("exists already");
        assertThat(map()).isEqualTo(first.fence("node2"));
    }

    @Test
    void everyTransitionGoesThroughTheStore() throws Exception {
        String c = zk.connectString();
        run("init", c, "c1", "node1=127.0.0.1:7070", "node2=127.0.0.1:7071");
        ClusterMap expected = map();

        assertThat(run("fence", c, "c1", "node1")).isZero();
        expected = expected.fence("node1");
        assertThat(map()).isEqualTo(expected);
        assertThat(map().authority()).isEqualTo("node2");

        assertThat(run("resync", c, "c1", "node1")).isZero();
        assertThat(map()).isEqualTo(expected = expected.resync("node1"));
        assertThat(run("promote", c, "c1", "node1")).isZero();
        assertThat(map()).isEqualTo(expected = expected.promote("node1"));
        assertThat(run("add", c, "c1", "node3", "127.0.0.1:7072")).isZero();
        assertThat(map()).isEqualTo(expected = expected.add("node3", "127.0.0.1", 7072));
        assertThat(map().member("node3").orElseThrow().state()).isEqualTo(MemberState.RESYNCING);
        assertThat(run("remove", c, "c1", "node3")).isZero();
        assertThat(map()).isEqualTo(expected = expected.remove("node3"));
        assertThat(map().epoch()).isEqualTo(6);

        assertThat(run("show", c, "c1")).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("\"epoch\":6").contains("live:");
    }

    @Test
    void refusalsAndMistakesChangeNothingAndExitNonZero() throws Exception {
        String c = zk.connectString();
        assertThat(run("show", c, "c1")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("no map");
        assertThat(run("fence", c, "c1", "node1")).isEqualTo(2);

        run("init", c, "c1", "node1=127.0.0.1:7070");
        ClusterMap before = map();
        assertThat(run("fence", c, "c1", "node1")).isEqualTo(1);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("refused");
        assertThat(run("promote", c, "c1", "nobody")).isEqualTo(1);
        assertThat(run("init", c, "c1", "node1-no-address")).isEqualTo(2);
        assertThat(run("add", c, "c1", "node2")).isEqualTo(2);
        assertThat(run("frobnicate", c, "c1")).isEqualTo(2);
        assertThat(run("show")).isEqualTo(2);
        assertThat(map()).isEqualTo(before);
    }
}
