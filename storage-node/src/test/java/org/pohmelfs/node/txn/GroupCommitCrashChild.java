package org.pohmelfs.node.txn;

import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.pohmelfs.node.store.StoreSettings;
import org.pohmelfs.protocol.Command;
import org.pohmelfs.protocol.Message;

/**
 * Test main run as a child JVM by {@link GroupCommitCrashTest}: {@value #WRITERS} threads keep
 * stable transactions in flight at once (fsync on, so they share forces). Writer k's round n
 * overwrites /k.a and /k.b (4 KiB each, one transaction) with content naming n, and reports
 * {@code OK k n} once answered.
 */
public final class GroupCommitCrashChild {
    static final int WRITERS = 16;
    static final int SIZE = 4096;
    static final String PEER = "gc-child";

    private GroupCommitCrashChild() {
    }

    public static void main(String[] args) throws Exception {
        Path export = Path.of(args[0]);
        long incarnation = Long.parseLong(args[2]);
        AtomicLong txids = new AtomicLong();
        try (TransactionManager tm = TransactionManager.open(StoreSettings.defaults(export));
             FileOutputStream report = new FileOutputStream(args[1], true)) {
            List<Thread> threads = new ArrayList<>();
            for (int k = 0; k < WRITERS; k++) {
                int me = k;
                long start = round(export, me + ".a") + 1;
                threads.add(Thread.ofVirtual().start(() -> {
                    for (long n = start; ; n++) {
                        Message.Reply r = tm.apply(PEER, incarnation, new Message.Request(txids.incrementAndGet(), 0,
                                List.of(write("/" + me + ".a", me, n), write("/" + me + ".b", me, n))));
                        if (!r.ok()) {
                            System.err.println("transaction failed: " + r.firstError());
                            System.exit(3);
                        }
                        byte[] line = ("OK " + me + " " + n + "\n").getBytes(StandardCharsets.UTF_8);
                        synchronized (report) {
                            try {
                                report.write(line);
                            } catch (IOException e) {
                                System.exit(4);
                            }
                            System.out.write(line, 0, line.length);
                            System.out.flush();
                        }
                    }
                }));
            }
            for (Thread t : threads) {
                t.join();
            }
        }
    }

    /** The round a file holds (-1: no file). */
    static long round(Path export, String name) throws IOException {
        Path f = export.resolve(name);
        if (!Files.exists(f)) {
            return -1;
        }
        byte[] b = Files.readAllBytes(f);
        String s = new String(b, 0, Math.min(64, b.length), StandardCharsets.US_ASCII);
        return Long.parseLong(s.substring(s.indexOf(':') + 1, s.indexOf(';')));
    }

    /** Writer k's content for round n: its head names both, the rest is a fill that depends on them. */
    static byte[] content(int k, long n) {
        byte[] b = new byte[SIZE];
        java.util.Arrays.fill(b, (byte) (k * 31 + n));
        byte[] head = (k + ":" + n + ";").getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(head, 0, b, 0, head.length);
        return b;
    }

    private static Command write(String path, int k, long n) {
        return new Command.Write(path, 0, ByteBuffer.wrap(content(k, n)), true);
    }
}
