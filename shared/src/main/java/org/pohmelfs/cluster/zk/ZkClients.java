package org.pohmelfs.cluster.zk;

import java.time.Duration;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.ExponentialBackoffRetry;

/** Builds the Curator client every gateway and node uses for the cluster map. */
public final class ZkClients {
    private ZkClients() {
    }

    /**
     * A started client for {@code connectString} ({@code host:port,...}). The session times
     * out {@code sessionTimeout} after the server last heard from it; that is how long a dead
     * node's liveness entry outlives it.
     */
    public static CuratorFramework start(String connectString, Duration sessionTimeout) {
        CuratorFramework client = CuratorFrameworkFactory.builder()
                .connectString(connectString)
                .sessionTimeoutMs((int) sessionTimeout.toMillis())
                .connectionTimeoutMs(5_000)
                .retryPolicy(new ExponentialBackoffRetry(100, 10, 2_000))
                .build();
        client.start();
        return client;
    }
}
