package org.pohmelfs.node.coherence;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pohmelfs.coherence.LockMode;
import org.pohmelfs.coherence.LockScope;
import org.pohmelfs.protocol.Command;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Not a test (surefire does not pick up the name): prints latencies of uncontended ACQUIRE, of an
 * ACQUIRE X that must recall one S holder (recall, ack, grant), and of a lease-less WRITE that
 * must recall one holder. Run: {@code mvn -B -o verify -pl storage-node -am
 * -Dtest=LeaseLatencyMeasurement -Dsurefire.failIfNoSpecifiedTests=false}
 */
class LeaseLatencyMeasurement {
    private static final Logger log = LoggerFactory.getLogger(LeaseLatencyMeasurement.class);

    @TempDir
    Path export;

    @Test
    void measure() throws Exception {
        try (LeaseNode node = new LeaseNode(export, Duration.ofSeconds(10), true, true, false)) {
            LeaseNode.Client a = node.client("gw-a");
            LeaseNode.Client b = node.client("gw-b");
            var tool = node.plain("tool");
            tool.execute(new Command.Write("/w", 0, java.nio.ByteBuffer.allocate(1), true)).join();
            int n = 2000;
            long[] uncontended = new long[n];
            long[] recalled = new long[n / 4];
            long[] writes = new long[n / 4];
            for (int i = 0; i < n; i++) {
                long t = System.nanoTime();
                a.connection.acquire("/u" + (i % 50), LockMode.SHARED, LockScope.OBJECT).block();
                uncontended[i] = System.nanoTime() - t;
            }
            for (int i = 0; i < recalled.length; i++) {
                a.connection.acquire("/r", LockMode.SHARED, LockScope.OBJECT).block();
                long t = System.nanoTime();
                b.connection.acquire("/r", LockMode.EXCLUSIVE, LockScope.OBJECT).block();
                recalled[i] = System.nanoTime() - t;
                b.connection.release("/r").block();
            }
            for (int i = 0; i < writes.length; i++) {
                a.connection.acquire("/w", LockMode.SHARED, LockScope.OBJECT).block();
                long t = System.nanoTime();
                tool.execute(new Command.Truncate("/w", 0)).join();
                writes[i] = System.nanoTime() - t;
            }
            writes("WRITE 4 KiB, lease-less, no lease held (driver on)", tool);
            print("ACQUIRE S, uncontended", uncontended);
            print("ACQUIRE X recalling one S holder", recalled);
            print("lease-less TRUNCATE recalling one S holder", writes);
        }
    }

    @Test
    void writesWithoutALeaseDriver(@TempDir Path other) throws Exception {
        try (LeaseNode node = new LeaseNode(other, Duration.ofSeconds(10), true, false, false)) {
            writes("WRITE 4 KiB, no lease driver", node.plain("tool"));
        }
    }

    private static void writes(String what, org.pohmelfs.client.NodeConnection c) {
        long[] t = new long[2000];
        for (int i = 0; i < t.length; i++) {
            long s = System.nanoTime();
            c.execute(new Command.Write("/p" + (i % 20), 0, java.nio.ByteBuffer.allocate(4096), true)).join();
            t[i] = System.nanoTime() - s;
        }
        print(what, t);
    }

    private static void print(String what, long[] nanos) {
        long[] s = nanos.clone();
        Arrays.sort(s);
        log.info(String.format("MEASURED %s: n=%d p50=%.0f us p99=%.0f us max=%.0f us", what, s.length,
                s[s.length / 2] / 1e3, s[(int) (s.length * 0.99)] / 1e3, s[s.length - 1] / 1e3));
    }
}
