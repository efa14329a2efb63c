package org.pohmelfs.node.process;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.awaitility.Awaitility;
import org.pohmelfs.node.StorageNodeApplication;

/**
 * A real storage-node process: the Spring Boot application started in a child JVM with the
 * test class path, on free loopback ports, over a given export directory.
 */
public final class NodeProcess implements AutoCloseable {
    private final Path export;
    private final Path log;
    private final int port;
    private final int httpPort;
    private final List<String> extra;
    private Process process;

    public NodeProcess(Path export, Path log, String... extra) throws IOException {
        this.export = export;
        this.log = log;
        this.port = freePort();
        this.httpPort = freePort();
        this.extra = List.of(extra);
    }

    public NodeProcess start() throws IOException {
        List<String> cmd = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-XX:TieredStopAtLevel=1",
                "-cp", System.getProperty("java.class.path"),
                StorageNodeApplication.class.getName(),
                "--pohmelfs.node.id=node-under-test",
                "--pohmelfs.node.port=" + port,
                "--server.port=" + httpPort,
                "--pohmelfs.node.export=" + export));
        if (extra.stream().noneMatch(a -> a.startsWith("--pohmelfs.node.lease-duration="))) {
            cmd.add("--pohmelfs.node.lease-duration=1s"); // the grace period after start delays mutations by L
        }
        cmd.addAll(extra);
        process = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100)).until(() -> {
            if (!process.isAlive()) {
                throw new IllegalStateException("node process exited with " + process.exitValue() + "; see " + log);
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return true;
            } catch (IOException e) {
                return false;
            }
        });
        return this;
    }

    /** SIGKILL: no shutdown hook, no flush, nothing. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor();
    }

    public InetSocketAddress address() {
        return new InetSocketAddress("127.0.0.1", port);
    }

    public String httpBase() {
        return "http://127.0.0.1:" + httpPort;
    }

    @Override
    public void close() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroy();
            if (!process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
                kill();
            }
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
