package org.pohmelfs.node.resync;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pohmelfs.client.ClientSettings;
import org.pohmelfs.client.NodeClient;
import org.pohmelfs.client.NodeConnection;
import org.pohmelfs.node.store.StoreSettings;
import org.pohmelfs.node.txn.TransactionManager;
import org.pohmelfs.protocol.Command;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Not a test (surefire does not pick up the name): resync copy throughput on loopback, and how a
 * later resync's time follows what changed rather than the export's size. A source node in this
 * JVM holds {@code -Dresync.export.mib} (512) MiB in files of {@code -Dresync.file.mib} (1) MiB
 * in 64 folders (put there by hand, so they get versions at start); an empty local export resyncs
 * from it (full copy); then files holding {@code -Dresync.changed.mib} (32) MiB get their first MiB
 * overwritten on the source through the protocol and the local export resyncs again. fsync off on
 * both unless {@code -Dresync.fsync=true} (the default node's setting). {@code -Dresync.parallel}
 * (4), {@code -Dresync.window} (4) and {@code -Dresync.chunk} (1048576) are the resync's settings;
 * {@code -Dresync.warmup=true} copies the whole export once first into a throwaway export. It
 * logs wall time and the JVM's CPU time (both nodes); last, a verify resync (its first pass sums
 * every file on both sides, design.md §5) with nothing changed. Run:
 * {@code mvn -B -o verify -pl storage-node -am -Dtest=ResyncThroughputMeasurement
 * -Dsurefire.failIfNoSpecifiedTests=false -Dresync.export.mib=512 -Dresync.changed.mib=32}
 */
class ResyncThroughputMeasurement {
    private static final Logger log = LoggerFactory.getLogger(ResyncThroughputMeasurement.class);

    @TempDir
    Path dir;

    @Test
    void measure() throws Exception {
        int exportMib = Integer.getInteger("resync.export.mib", 512);
        int changedMib = Integer.getInteger("resync.changed.mib", 32);
        boolean fsync = Boolean.getBoolean("resync.fsync");
        int parallel = Integer.getInteger("resync.parallel", 4);
        Path a = Files.createDirectories(dir.resolve("a"));
        Path b = Files.createDirectories(dir.resolve("b"));
        int fileMib = Integer.getInteger("resync.file.mib", 1);
        int chunk = Integer.getInteger("resync.chunk", 1 << 20);
        int window = Integer.getInteger("resync.window", 4);
        int files = Math.max(1, exportMib / fileMib);
        byte[] mib = new byte[1 << 20];
        Random random = new Random(1);
        for (int i = 0; i < files; i++) {
            Path d = Files.createDirectories(a.resolve("d" + (i % 64)));
            try (var out = Files.newOutputStream(d.resolve("f" + i))) {
                for (int m = 0; m < fileMib; m++) {
                    random.nextBytes(mib);
                    out.write(mib);
                }
            }
        }
        try (ResyncOnTheWireTest.Source src = new ResyncOnTheWireTest.Source(a, fsync);
             TransactionManager local = TransactionManager.open(new StoreSettings(b, 0, false, fsync, 1000));
             NodeConnection peer = new NodeClient(ClientSettings.defaults("resync:b", "test"))
                     .connectBlocking(src.server.address())) {
            if (Boolean.getBoolean("resync.warmup")) {
                // A first full copy into a throwaway export, so the measured one runs compiled code.
                Path w = Files.createDirectories(dir.resolve("warmup"));
                try (TransactionManager warm = TransactionManager.open(new StoreSettings(w, 0, false, fsync, 1000))) {
                    long t0 = System.nanoTime();
                    ResyncOnTheWireTest.resync(peer, warm, new HashSet<>(), parallel, chunk, window);
                    log.warn(String.format("warm-up full copy: %.2f s", (System.nanoTime() - t0) / 1e9));
                }
            }
            long t = System.nanoTime();
            long cpu = cpuNanos();
            log.warn("before the full copy: " + userSys());
            ResyncOnTheWireTest.Run full = ResyncOnTheWireTest.resync(peer, local, new HashSet<>(), parallel, chunk, window);
            double fullSeconds = (System.nanoTime() - t) / 1e9;
            double fullCpu = (cpuNanos() - cpu) / 1e9;
            log.warn("full copy: " + userSys());

            int changedFiles = Math.max(1, changedMib / fileMib);
            for (int i = 0; i < changedFiles; i++) {
                random.nextBytes(mib);
                int f = i * Math.max(1, files / changedFiles);
                src.run(new Command.Write("/d" + (f % 64) + "/f" + f, 0, ByteBuffer.wrap(mib), false));
            }
            t = System.nanoTime();
            cpu = cpuNanos();
            ResyncOnTheWireTest.Run again = ResyncOnTheWireTest.resync(peer, local, new HashSet<>(), parallel, chunk, window);
            double againSeconds = (System.nanoTime() - t) / 1e9;
            double againCpu = (cpuNanos() - cpu) / 1e9;

            t = System.nanoTime();
            ResyncOnTheWireTest.Run nothing = ResyncOnTheWireTest.resync(peer, local, new HashSet<>(), parallel, chunk, window);
            double nothingSeconds = (System.nanoTime() - t) / 1e9;

            t = System.nanoTime();
            cpu = cpuNanos();
            ResyncOnTheWireTest.Run verify = ResyncOnTheWireTest.resync(peer, local, new HashSet<>(), parallel, chunk, window,
                    true);
            double verifySeconds = (System.nanoTime() - t) / 1e9;
            log.warn(String.format("verify resync, nothing to repair: %d changed, %d passes, %.2f s = %.0f MiB/s summed "
                            + "on each side, %.2f s CPU", verify.outcome().changed(), verify.passes(), verifySeconds,
                    exportMib / verifySeconds, (cpuNanos() - cpu) / 1e9));

            log.warn(String.format("resync of a %d MiB export in " + fileMib + " MiB files (fsync " + fsync + ", " + parallel + " files at once, " + window + " READs of "
                            + chunk + " bytes in flight per file): full copy %d objects %.1f MiB in %.2f s = %.0f MiB/s "
                            + "(%d passes, %.2f s CPU); after %d MiB changed: %d objects %.1f MiB in %.2f s = %.0f MiB/s "
                            + "(%d passes, %.2f s CPU); with nothing changed: %.3f s",
                    exportMib, full.outcome().changed(), full.outcome().bytes() / 1048576.0, fullSeconds,
                    full.outcome().bytes() / 1048576.0 / fullSeconds, full.passes(), fullCpu, changedMib,
                    again.outcome().changed(), again.outcome().bytes() / 1048576.0, againSeconds,
                    again.outcome().bytes() / 1048576.0 / againSeconds, again.passes(), againCpu, nothingSeconds));
        }
    }

    /** User and system CPU ticks of this JVM so far (Linux /proc/self/stat), to tell the kernel's share. */
    private static String userSys() throws java.io.IOException {
        String[] f = Files.readString(Path.of("/proc/self/stat")).replaceFirst(".*\\) ", "").split(" ");
        return "utime " + f[11] + " stime " + f[12] + " ticks";
    }

    /** CPU time of this whole JVM (both nodes, the JIT and the collector): a figure the machine's load changes less than wall time. */
    private static long cpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
                .getOperatingSystemMXBean()).getProcessCpuTime();
    }
}
