package org.pohmelfs.gateway.testing;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;

/**
 * A real gateway process (child JVM, test class path) with its own JVM options, e.g. a small heap.
 *
 * <p>None outlives its test: a start that fails kills the process it started; {@link #close}
 * kills it even when interrupted; a shutdown hook kills those still running when the test JVM
 * ends; and the child itself ({@link GatewayChild}) halts when the test JVM dies without
 * running hooks.
 */
public final class GatewayProcess implements AutoCloseable {
    /** Processes started and not yet closed, for the shutdown hook. */
    private static final Set<Process> RUNNING = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> RUNNING.forEach(Process::destroyForcibly),
                "gateway-process-reaper"));
    }

    private final Process process;
    private final int port;

    private GatewayProcess(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    public static GatewayProcess start(Path log, List<String> jvmOptions, String nodes, String... args) throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(jvmOptions);
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), GatewayChild.class.getName(),
                "--server.port=" + port, "--pohmelfs.gateway.nodes=" + nodes));
        cmd.addAll(List.of(args));
        // standard input stays a pipe from this JVM: GatewayChild's watch on its parent
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        RUNNING.add(p);
        GatewayProcess gw = new GatewayProcess(p, port);
        try {
            gw.awaitListening(log);
        } catch (RuntimeException | Error e) {
            gw.destroyNow();
            throw e;
        }
        return gw;
    }

    private void awaitListening(Path log) {
        Process p = process;
        Awaitility.await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200)).until(() -> {
            if (!p.isAlive()) {
                throw new IllegalStateException("gateway exited with " + p.exitValue() + "; see " + log);
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return true;
            } catch (IOException e) {
                return false;
            }
        });
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + port;
    }

    /** The child process (for tests of this fixture). */
    Process process() {
        return process;
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /**
     * Writes the process's thread dump ({@code jcmd <pid> Thread.print}, from the JDK that runs
     * the tests) to {@code file}, for a test that gives up waiting on this gateway: the dump says
     * where it was stuck. Best effort: a failure to dump is written to the file instead.
     */
    public Path threadDump(Path file) {
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        try {
            Process p = new ProcessBuilder(jcmd.toString(), Long.toString(process.pid()), "Thread.print")
                    .redirectErrorStream(true).redirectOutput(file.toFile()).start();
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        } catch (IOException e) {
            try {
                java.nio.file.Files.writeString(file, "no thread dump: " + e);
            } catch (IOException ignored) {
                // nothing more to say
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return file;
    }

    /** Kills the process at once (SIGKILL): no shutdown hooks, no goodbye to the nodes. */
    public void kill() throws InterruptedException {
        try {
            process.destroyForcibly().waitFor();
        } finally {
            RUNNING.remove(process);
        }
    }

    /** Stops the process (SIGTERM, then SIGKILL after 10 s); when interrupted, kills it before returning. */
    @Override
    public void close() throws InterruptedException {
        boolean done = false;
        try {
            process.destroy();
            done = process.waitFor(10, TimeUnit.SECONDS);
        } finally {
            if (!done) {
                destroyNow();
            }
            RUNNING.remove(process);
        }
    }

    /** SIGKILL and a bounded wait that an interrupt does not cut short. */
    private void destroyNow() {
        process.destroyForcibly();
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    process.waitFor(30, TimeUnit.SECONDS);
                    break;
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        } finally {
            RUNNING.remove(process);
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
