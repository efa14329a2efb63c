package org.pohmelfs.cluster.zk;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import org.apache.zookeeper.server.ServerCnxnFactory;
import org.apache.zookeeper.server.ZooKeeperServer;
import org.apache.zookeeper.server.persistence.FileTxnSnapLog;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A single ZooKeeper server inside this JVM, for the local and development cluster
 * (design.md §4.1): it listens on loopback only and keeps its snapshots and transaction log
 * under one folder, so a restart on the same folder keeps the cluster map. Production runs a
 * three- or five-server ensemble instead; nothing else changes, the clients only get another
 * connect string.
 *
 * <p>Run it as a process: {@code java -cp ... org.pohmelfs.cluster.zk.EmbeddedZooKeeper --port
 * 2181 --data ./data/zk}. It prints {@code zookeeper listening on 127.0.0.1:PORT} once it
 * serves.
 */
public final class EmbeddedZooKeeper implements AutoCloseable {
    /** The tick: sessions may last from 2 to 20 ticks (1 s to 10 s). */
    public static final int DEFAULT_TICK_MILLIS = 500;
    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedZooKeeper.class);

    private final ZooKeeperServer server;
    private final ServerCnxnFactory connections;
    private final Path dataDir;

    private EmbeddedZooKeeper(ZooKeeperServer server, ServerCnxnFactory connections, Path dataDir) {
        this.server = server;
        this.connections = connections;
        this.dataDir = dataDir;
    }

    /**
     * Starts a server on {@code 127.0.0.1:port} (0 picks a free port) with its data in
     * {@code dataDir} (created if missing).
     */
    public static EmbeddedZooKeeper start(Path dataDir, int port) throws IOException {
        return start(dataDir, port, DEFAULT_TICK_MILLIS);
    }

    public static EmbeddedZooKeeper start(Path dataDir, int port, int tickMillis) throws IOException {
        Files.createDirectories(dataDir);
        ZooKeeperServer server = new ZooKeeperServer(new FileTxnSnapLog(dataDir.toFile(), dataDir.toFile()), tickMillis, "");
        ServerCnxnFactory connections = ServerCnxnFactory.createFactory(
                new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 200);
        try {
            connections.startup(server);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            connections.shutdown();
            throw new IOException("interrupted while starting ZooKeeper", e);
        } catch (IOException | RuntimeException e) {
            connections.shutdown();
            throw e;
        }
        EmbeddedZooKeeper zk = new EmbeddedZooKeeper(server, connections, dataDir);
        LOG.info("embedded ZooKeeper on {} with data in {}", zk.connectString(), dataDir);
        return zk;
    }

    /** The port it listens on. */
    public int port() {
        return connections.getLocalPort();
    }

    /** {@code 127.0.0.1:PORT}, the connect string for clients. */
    public String connectString() {
        return InetAddress.getLoopbackAddress().getHostAddress() + ":" + port();
    }

    public Path dataDir() {
        return dataDir;
    }

    /** Stops serving; sessions end as if the server had died. The data stays. */
    @Override
    public void close() {
        connections.shutdown();
        server.shutdown(true);
    }

    public static void main(String[] args) throws Exception {
        int port = 2181;
        Path data = Path.of("data", "zk");
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--port" -> port = Integer.parseInt(args[i + 1]);
                case "--data" -> data = Path.of(args[i + 1]);
                default -> throw new IllegalArgumentException("unknown option " + args[i] + " (--port N, --data DIR)");
            }
        }
        EmbeddedZooKeeper zk = start(data, port);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            zk.close();
            stopped.countDown();
        }));
        System.out.println("zookeeper listening on " + zk.connectString());
        stopped.await();
    }
}
