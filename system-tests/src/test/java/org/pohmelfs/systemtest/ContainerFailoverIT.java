package org.pohmelfs.systemtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.pohmelfs.systemtest.SystemTestSupport.awaitProgress;
import static org.pohmelfs.systemtest.SystemTestSupport.awaitReady;
import static org.pohmelfs.systemtest.SystemTestSupport.checkAcknowledged;
import static org.pohmelfs.systemtest.SystemTestSupport.loopback;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.model.HealthCheck;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.output.Slf4jLogConsumer;
import org.testcontainers.containers.startupcheck.OneShotStartupCheckStrategy;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.utility.DockerImageName;

/**
 * The node-failure scenarios of the replication and resync issues with real containers
 * (Testcontainers, host networking, the images of this build): ZooKeeper and the map init from
 * the node image, three node containers, one gateway container; under a REST load one node
 * is {@code docker kill}ed and another {@code docker pause}d (the container's processes
 * frozen, as SIGSTOP in NodeFailoverTest) and then unpaused. No request fails and every
 * acknowledged write reads back.
 */
class ContainerFailoverIT {
    private static final Logger log = LoggerFactory.getLogger(ContainerFailoverIT.class);
    private static final Duration START = Duration.ofMinutes(6);

    private final Rest rest = new Rest();
    private final List<GenericContainer<?>> containers = new ArrayList<>();
    private final List<GenericContainer<?>> nodes = new ArrayList<>();
    private final String run = "pohmelfs-it-" + Long.toHexString(ThreadLocalRandom.current().nextLong() & 0xffffffffL);
    private URI gateway;

    @BeforeEach
    void startCluster() throws Exception {
        List<Integer> p = SystemTestSupport.freePorts(8);
        String zk = "127.0.0.1:" + p.get(0);
        DockerImageName nodeImage = DockerImageName.parse(SystemTestSupport.nodeImage());
        start(tool(nodeImage, "zookeeper").withCommand("zookeeper", "--port", "" + p.get(0), "--data", "/data")
                .waitingFor(Wait.forLogMessage(".*zookeeper listening on.*", 1).withStartupTimeout(START)), "zk");
        List<String> members = new ArrayList<>();
        for (int i = 1; i <= 3; i++) {
            members.add("node" + i + "=127.0.0.1:" + p.get(i));
        }
        List<String> init = new ArrayList<>(List.of("map", "init", zk, "pohmelfs"));
        init.addAll(members);
        start(tool(nodeImage, "map-init").withCommand(init.toArray(String[]::new))
                .withStartupCheckStrategy(new OneShotStartupCheckStrategy().withTimeout(START)), "map-init");
        for (int i = 1; i <= 3; i++) {
            GenericContainer<?> node = new GenericContainer<>(nodeImage)
                    .withNetworkMode("host")
                    .withEnv(Map.of("POHMELFS_NODE_ID", "node" + i,
                            "POHMELFS_NODE_HOST", "127.0.0.1",
                            "POHMELFS_NODE_PORT", "" + p.get(i),
                            "SERVER_ADDRESS", "127.0.0.1",
                            "SERVER_PORT", "" + p.get(3 + i),
                            "POHMELFS_NODE_ZOOKEEPER_CONNECT", zk,
                            "JAVA_TOOL_OPTIONS", "-Xmx512m -XX:+ExitOnOutOfMemoryError"))
                    .waitingFor(Wait.forHealthcheck().withStartupTimeout(START));
            nodes.add(node);
        }
        // The three nodes start together: on two cores that is faster than one after another.
        List<Thread> starting = new ArrayList<>();
        for (int i = 0; i < nodes.size(); i++) {
            GenericContainer<?> node = nodes.get(i);
            String name = "node" + (i + 1);
            starting.add(Thread.ofPlatform().name("start-" + name).start(() -> start(node, name)));
        }
        for (Thread t : starting) {
            t.join();
        }
        for (GenericContainer<?> node : nodes) {
            assertThat(node.isHealthy()).as("node container %s healthy", node.getContainerName()).isTrue();
        }
        String nodeList = String.join(",", members.stream().map(m -> m.substring(m.indexOf('=') + 1)).toList());
        gateway = loopback(p.get(7));
        start(new GenericContainer<>(DockerImageName.parse(SystemTestSupport.gatewayImage()))
                .withNetworkMode("host")
                .withEnv(Map.of("POHMELFS_GATEWAY_ID", "gw1",
                        "POHMELFS_GATEWAY_NODES", nodeList,
                        "POHMELFS_GATEWAY_ZOOKEEPER_CONNECT", zk,
                        "SERVER_ADDRESS", "127.0.0.1",
                        "SERVER_PORT", "" + p.get(7),
                        "JAVA_TOOL_OPTIONS", "-Xmx768m -XX:+ExitOnOutOfMemoryError -Djava.io.tmpdir=/data/tmp"))
                .waitingFor(Wait.forHealthcheck().withStartupTimeout(START)), "gw1");
        awaitReady(rest, List.of(gateway), Duration.ofMinutes(1));
    }

    @AfterEach
    void stopCluster() {
        // Ryuk is off: every container made here is removed here (with its anonymous volumes).
        for (GenericContainer<?> c : containers.reversed()) {
            try {
                c.stop();
            } catch (RuntimeException e) {
                log.warn("removing {}: {}", c.getContainerId(), e.toString());
            }
        }
    }

    @Test
    void aKilledAndAPausedNodeFailNoRequestAndLoseNoAcknowledgedWrite() throws Exception {
        DockerClient docker = DockerClientFactory.instance().client();
        Map<String, String> acknowledged;
        List<String> failures;
        try (Load load = new Load(List.of(gateway), "/containers", 4, 3_000).start()) {
            awaitProgress(load, 40, Duration.ofMinutes(2));
            docker.killContainerCmd(nodes.get(2).getContainerId()).exec();
            awaitProgress(load, 60, Duration.ofMinutes(3));
            docker.pauseContainerCmd(nodes.get(1).getContainerId()).exec();
            try {
                awaitProgress(load, 60, Duration.ofMinutes(3));
            } finally {
                docker.unpauseContainerCmd(nodes.get(1).getContainerId()).exec();
            }
            awaitProgress(load, 40, Duration.ofMinutes(2));
            load.close();
            acknowledged = load.acknowledged();
            failures = load.failures();
        }
        log.info("containers: {} acknowledged writes, {} failures", acknowledged.size(), failures.size());
        assertThat(failures).as("failed requests").isEmpty();
        checkAcknowledged(rest, acknowledged, List.of(gateway));
    }

    /** A container of the node image running {@code pohmelfs-tool}: no actuator, so no healthcheck. */
    private static GenericContainer<?> tool(DockerImageName image, String name) {
        return new GenericContainer<>(image).withNetworkMode("host")
                .withCreateContainerCmdModifier(cmd -> cmd.withEntrypoint("pohmelfs-tool")
                        .withHealthcheck(new HealthCheck().withTest(List.of("NONE"))));
    }

    /** Starts a container named after the run and its role; it is removed in {@link #stopCluster()}. */
    private void start(GenericContainer<?> container, String name) {
        synchronized (containers) {
            containers.add(container);
        }
        container.withCreateContainerCmdModifier(cmd -> cmd.withName(run + "-" + name))
                .withLogConsumer(new Slf4jLogConsumer(LoggerFactory.getLogger("container." + name)));
        container.start();
    }
}
