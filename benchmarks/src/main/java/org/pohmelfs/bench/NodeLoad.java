package org.pohmelfs.bench;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntFunction;
import org.pohmelfs.client.ClientSettings;
import org.pohmelfs.client.NodeClient;
import org.pohmelfs.client.NodeConnection;
import org.pohmelfs.protocol.Command;
import org.pohmelfs.protocol.Message;

/**
 * Load benchmark of one storage node over the native protocol, with the project's own client:
 * small (4 KiB) writes and reads with a fixed number of transactions in flight, then a large
 * streaming write and read in 1 MiB chunks.
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar org.pohmelfs.bench.NodeLoad \
 *      --node 127.0.0.1:7070 [--cluster pohmelfs] [--seconds 10] [--inflight 16] [--files 1000]
 *      [--size 4096] [--stream-mib 1024] [--stream-inflight 8] [--stable] [--tls DIR [--tls-name gw1]]
 *      [--node-pid PID]
 * </pre>
 * The streaming write goes as the gateway's upload does: unstable WRITEs, then one COMMIT
 * (protocol §4.8); {@code --stable} sends stable WRITEs and a SYNC instead (the behaviour before
 * the {@code unstable} feature; also what the client falls back to on a node without it).
 * {@code --tls DIR}: mutual TLS with the files of {@code bin/pohmelfs certs} in DIR (the
 * certificate of {@code --tls-name}, default gw1), as the nodes of {@code bin/pohmelfs up} require.
 * {@code --node-pid PID} (Linux, node on this machine): also reports the CPU time the node process
 * and this client spent in each streaming phase, per GiB (less disturbed by a shared machine's
 * load than the wall-clock rate).
 */
public final class NodeLoad {
    private NodeLoad() {
    }

    public static void main(String[] args) throws Exception {
        String node = arg(args, "--node", "127.0.0.1:7070");
        String cluster = arg(args, "--cluster", "pohmelfs");
        int seconds = Integer.parseInt(arg(args, "--seconds", "10"));
        int inflight = Integer.parseInt(arg(args, "--inflight", "16"));
        int files = Integer.parseInt(arg(args, "--files", "1000"));
        int size = Integer.parseInt(arg(args, "--size", "4096"));
        long streamMib = Long.parseLong(arg(args, "--stream-mib", "1024"));
        int streamInflight = Integer.parseInt(arg(args, "--stream-inflight", "8"));
        boolean stable = Arrays.asList(args).contains("--stable");
        String nodePid = arg(args, "--node-pid", null);

        int colon = node.lastIndexOf(':');
        InetSocketAddress address = new InetSocketAddress(node.substring(0, colon), Integer.parseInt(node.substring(colon + 1)));
        ClientSettings settings = ClientSettings.defaults("bench", cluster);
        String tlsDir = arg(args, "--tls", null);
        if (tlsDir != null) {
            java.nio.file.Path certs = java.nio.file.Path.of(tlsDir);
            String name = arg(args, "--tls-name", "gw1");
            settings = settings.withTls(new org.pohmelfs.transport.TlsConfig(certs.resolve(name + ".pem"),
                    certs.resolve(name + "-key.pem"), certs.resolve("ca.pem"), true));
        }
        NodeClient client = new NodeClient(settings);
        try (NodeConnection c = client.connectBlocking(address)) {
            String dir = "/bench-" + Long.toHexString(ThreadLocalRandom.current().nextLong());
            check(c.execute(new Command.Mkdir(dir, true, 0755)).join());
            byte[] payload = new byte[size];
            ThreadLocalRandom.current().nextBytes(payload);

            run("setup: create " + files + " files", files, inflight, i ->
                    c.execute(new Command.Write(dir + "/f" + i, 0, ByteBuffer.wrap(payload), true)));
            Result w = runFor(size + " B writes", seconds, inflight, i ->
                    c.execute(new Command.Write(dir + "/f" + (i % files), 0, ByteBuffer.wrap(payload), false)));
            Result r = runFor(size + " B reads", seconds, inflight, i ->
                    c.execute(new Command.Read(dir + "/f" + (i % files), 0, size)));

            int chunk = c.maxChunk();
            long chunks = streamMib * 1024 * 1024 / chunk;
            byte[] big = new byte[chunk];
            ThreadLocalRandom.current().nextBytes(big);
            String stream = dir + "/stream";
            check(c.execute(new Command.Create(stream, true, false, 0644)).join());
            double[] cpu0 = cpu(nodePid);
            long t0 = System.nanoTime();
            run("stream write", (int) chunks, streamInflight, i ->
                    c.execute(new Command.Write(stream, (long) i * chunk, ByteBuffer.wrap(big), false, !stable)));
            // Nothing written unstably (--stream-mib 0): a COMMIT would rightly be UNSTABLE_LOST.
            check(c.execute(stable || chunks == 0 ? new Command.Sync(stream) : new Command.Commit(stream)).join());
            double writeSecs = (System.nanoTime() - t0) / 1e9;
            double[] cpu1 = cpu(nodePid);
            long t1 = System.nanoTime();
            run("stream read", (int) chunks, streamInflight, i -> c.execute(new Command.Read(stream, (long) i * chunk, chunk)));
            double readSecs = (System.nanoTime() - t1) / 1e9;
            double[] cpu2 = cpu(nodePid);

            check(c.execute(new Command.Delete(dir, true)).join());
            System.out.printf(Locale.ROOT, "%n| test | result |%n|---|---|%n");
            System.out.printf(Locale.ROOT, "| %d B writes, %d in flight | %.0f ops/s (p50 %.2f ms, p99 %.2f ms) |%n",
                    size, inflight, w.rate(), w.p50(), w.p99());
            System.out.printf(Locale.ROOT, "| %d B reads, %d in flight | %.0f ops/s (p50 %.2f ms, p99 %.2f ms) |%n",
                    size, inflight, r.rate(), r.p50(), r.p99());
            System.out.printf(Locale.ROOT, "| %d MiB streaming write (%d KiB chunks, %d in flight, %s) | %.0f MiB/s |%n",
                    streamMib, chunk / 1024, streamInflight, stable ? "stable, then sync"
                            : c.unstableWrites() ? "unstable, then commit" : "node without unstable: stable, then sync",
                    streamMib / writeSecs);
            System.out.printf(Locale.ROOT, "| %d MiB streaming read | %.0f MiB/s |%n", streamMib, streamMib / readSecs);
            if (nodePid != null && streamMib > 0) {
                double gib = streamMib / 1024.0;
                System.out.printf(Locale.ROOT, "| CPU per GiB, streaming write (node, node without JIT / client) "
                        + "| %.2f s, %.2f s / %.2f s |%n", (cpu1[0] - cpu0[0]) / gib, (cpu1[2] - cpu0[2]) / gib,
                        (cpu1[1] - cpu0[1]) / gib);
                System.out.printf(Locale.ROOT, "| CPU per GiB, streaming read (node, node without JIT / client) "
                        + "| %.2f s, %.2f s / %.2f s |%n", (cpu2[0] - cpu1[0]) / gib, (cpu2[2] - cpu1[2]) / gib,
                        (cpu2[1] - cpu1[1]) / gib);
            }
        }
    }

    /**
     * CPU seconds spent so far by the node process (user + system, from /proc/PID/stat), by this
     * JVM, and by the node's threads other than the JIT compilers (whose share in a short run
     * says more about warm-up than about the code measured); zeros without a pid.
     */
    private static double[] cpu(String nodePid) throws java.io.IOException {
        if (nodePid == null) {
            return new double[3];
        }
        double self = ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
                .getOperatingSystemMXBean()).getProcessCpuTime() / 1e9;
        java.nio.file.Path proc = java.nio.file.Path.of("/proc", nodePid);
        double noJit = 0;
        try (var tasks = java.nio.file.Files.list(proc.resolve("task"))) {
            for (java.nio.file.Path t : tasks.toList()) {
                String stat;
                try {
                    stat = java.nio.file.Files.readString(t.resolve("stat"));
                } catch (java.io.IOException gone) {
                    continue; // the thread ended meanwhile
                }
                String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
                if (!name.startsWith("C1 Compiler") && !name.startsWith("C2 Compiler")) {
                    noJit += ticks(stat);
                }
            }
        }
        return new double[] {ticks(java.nio.file.Files.readString(proc.resolve("stat"))) / CLOCK_TICKS, self,
                noJit / CLOCK_TICKS};
    }

    /** utime + stime of a /proc stat line, in clock ticks. */
    private static double ticks(String stat) {
        // Fields after the command name (which may hold spaces) start behind its closing parenthesis.
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(f[11]) + Long.parseLong(f[12]); // utime, stime (fields 14, 15)
    }

    /** USER_HZ of Linux's /proc/PID/stat times (100 on every common configuration). */
    private static final double CLOCK_TICKS = 100.0;

    record Result(double rate, double p50, double p99) {
    }

    /** Runs {@code count} operations with at most {@code inflight} outstanding. */
    private static void run(String name, int count, int inflight, IntFunction<CompletableFuture<Message.Reply>> op)
            throws InterruptedException {
        // Replies are checked as they arrive and not kept: holding every future would keep
        // every reply (1 GiB of DATA in the streaming read) reachable until the end.
        Semaphore window = new Semaphore(inflight);
        AtomicReference<String> failure = new AtomicReference<>();
        for (int i = 0; i < count && failure.get() == null; i++) {
            window.acquire();
            op.apply(i).whenComplete((reply, e) -> {
                if (e != null) {
                    failure.compareAndSet(null, e.toString());
                } else if (!reply.ok()) {
                    failure.compareAndSet(null, String.valueOf(reply.firstError()));
                }
                window.release();
            });
        }
        window.acquire(inflight);
        window.release(inflight);
        if (failure.get() != null) {
            throw new IllegalStateException(name + ": transaction failed: " + failure.get());
        }
        System.err.println(name + ": done");
    }

    /** Runs operations for {@code seconds} with {@code inflight} outstanding; returns rate and latency. */
    private static Result runFor(String name, int seconds, int inflight, IntFunction<CompletableFuture<Message.Reply>> op)
            throws InterruptedException {
        Semaphore window = new Semaphore(inflight);
        long end = System.nanoTime() + seconds * 1_000_000_000L;
        long[] latencies = new long[1 << 22];
        AtomicLong done = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        long start = System.nanoTime();
        int i = 0;
        while (System.nanoTime() < end) {
            window.acquire();
            long t = System.nanoTime();
            int slot = i++;
            op.apply(slot).whenComplete((reply, e) -> {
                long n = done.getAndIncrement();
                if (n < latencies.length) {
                    latencies[(int) n] = System.nanoTime() - t;
                }
                if (e != null || !reply.ok()) {
                    failed.incrementAndGet();
                }
                window.release();
            });
        }
        window.acquire(inflight);
        double secs = (System.nanoTime() - start) / 1e9;
        int n = (int) Math.min(done.get(), latencies.length);
        long[] sorted = Arrays.copyOf(latencies, n);
        Arrays.sort(sorted);
        if (failed.get() > 0) {
            throw new IllegalStateException(name + ": " + failed.get() + " operations failed");
        }
        System.err.printf(Locale.ROOT, "%s: %d ops in %.1f s%n", name, n, secs);
        if (n == 0) {
            return new Result(0, 0, 0); // a stalled machine (seen at load average 30+): nothing finished
        }
        return new Result(n / secs, sorted[n / 2] / 1e6, sorted[(int) (n * 0.99)] / 1e6);
    }

    private static void check(Message.Reply reply) {
        if (!reply.ok()) {
            throw new IllegalStateException("transaction failed: " + reply.firstError());
        }
    }

    private static String arg(String[] args, String name, String fallback) {
        for (int i = 0; i < args.length - 1; i++) {
            if (args[i].equals(name)) {
                return args[i + 1];
            }
        }
        return fallback;
    }
}
