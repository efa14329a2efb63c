package org.pohmelfs.testing;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;

/**
 * A real storage-node process: the Spring Boot application started in a child JVM with the
 * test class path (which must hold the storage node, as storage-node's and gateway's tests
 * do), on free loopback ports, over a given export directory. The ports are chosen once, so
 * {@link #start} after {@link #kill} restarts the node where it was.
 */
public final class NodeProcess implements AutoCloseable {
    private static final String MAIN = "org.pohmelfs.node.StorageNodeApplication";

    private final Path export;
    private final Path log;
    private final int port;
    private final int httpPort;
    private final List<String> extra;
    private Process process;

    /**
     * A node (not started yet); {@code extra} are Spring arguments such as
     * {@code --pohmelfs.node.id=node2} (default id {@code node-under-test}).
     */
    public NodeProcess(Path export, Path log, String... extra) throws IOException {
        this.export = export;
        this.log = log;
        this.port = freePort();
        this.httpPort = freePort();
        this.extra = List.of(extra);
    }

    /**
     * The test JVM's class path without the gateway module's own classes: run from gateway tests,
     * the gateway's {@code application.yml} would otherwise come first and configure the node
     * (its readiness group names a contributor only the gateway has).
     */
    private static String nodeClassPath() {
        String sep = java.io.File.pathSeparator;
        return java.util.Arrays.stream(System.getProperty("java.class.path").split(java.util.regex.Pattern.quote(sep)))
                .filter(e -> !e.replace('\\', '/').matches(".*/gateway/target/(test-)?classes/?"))
                .collect(java.util.stream.Collectors.joining(sep));
    }

    public NodeProcess start() throws IOException {
        List<String> cmd = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-XX:TieredStopAtLevel=1",
                "-cp", nodeClassPath(),
                MAIN,
                "--pohmelfs.node.port=" + port,
                "--server.port=" + httpPort,
                "--pohmelfs.node.export=" + export));
        if (extra.stream().noneMatch(a -> a.startsWith("--pohmelfs.node.id="))) {
            cmd.add("--pohmelfs.node.id=node-under-test");
        }
        if (extra.stream().noneMatch(a -> a.startsWith("--pohmelfs.node.lease-duration="))) {
            cmd.add("--pohmelfs.node.lease-duration=1s"); // the grace period after start delays mutations by L
        }
        cmd.addAll(extra);
        process = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        Process p = process;
        Awaitility.await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(100)).until(() -> {
            if (!p.isAlive()) {
                throw new IllegalStateException("node process exited with " + p.exitValue() + "; see " + log);
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

    /** SIGSTOP: the process hangs, its sockets stay open. */
    public void suspend() throws IOException, InterruptedException {
        signal("STOP");
    }

    /** SIGCONT after {@link #suspend}. */
    public void resume() throws IOException, InterruptedException {
        signal("CONT");
    }

    private void signal(String name) throws IOException, InterruptedException {
        int rc = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).inheritIO().start().waitFor();
        if (rc != 0) {
            throw new IOException("kill -" + name + " " + process.pid() + " failed: " + rc);
        }
    }

    public boolean isAlive() {
        return process != null && process.isAlive();
    }

    public InetSocketAddress address() {
        return new InetSocketAddress("127.0.0.1", port);
    }

    public Path export() {
        return export;
    }

    public String httpBase() {
        return "http://127.0.0.1:" + httpPort;
    }

    @Override
    public void close() throws InterruptedException {
        if (process != null && process.isAlive()) {
            try {
                resume(); // a stopped process ignores SIGTERM until it runs again
            } catch (IOException e) {
                // fall through to SIGTERM, then SIGKILL
            }
            process.destroy();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                kill();
            }
        }
    }

    /** A port nobody listens on now, on 127.0.0.1. */
    public static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
