package org.pohmelfs.node.txn;

import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.pohmelfs.node.store.StoreSettings;
import org.pohmelfs.protocol.Command;
import org.pohmelfs.protocol.Message;

/**
 * Test main run as a child JVM by {@link UnstableCrashTest}: streams unstable writes forever and
 * reports {@code ROUND <n>} once both transactions of round n were answered. Round n writes
 * chunk n of /s (one transaction), then chunk n of /p1 and /p2 (one transaction, so after a
 * crash both or neither hold it). Every 5th round ends with a COMMIT of /s (UNSTABLE_LOST once
 * a restart happened: the file carries the killed process's mark). Apart from each file's first
 * write in a process, nothing forces the journal: only the page cache holds it at the kill.
 */
public final class UnstableCrashChild {
    static final int CHUNK = 64 * 1024;
    static final String PEER = "unstable-child";

    private UnstableCrashChild() {
    }

    public static void main(String[] args) throws IOException {
        Path export = Path.of(args[0]);
        long incarnation = Long.parseLong(args[2]);
        try (TransactionManager tm = TransactionManager.open(StoreSettings.defaults(export));
             FileOutputStream report = new FileOutputStream(args[1], true)) {
            long n = Math.min(chunks(export, "s"), Math.min(chunks(export, "p1"), chunks(export, "p2")));
            long txid = 1;
            while (true) {
                check(tm.apply(PEER, incarnation, new Message.Request(txid++, 0, List.of(write("/s", n)))));
                check(tm.apply(PEER, incarnation, new Message.Request(txid++, 0, List.of(write("/p1", n),
                        write("/p2", n)))));
                if (n % 5 == 4) {
                    // After a restart /s carries the killed process's mark: its COMMIT is refused from then on.
                    Message.Reply c = tm.apply(PEER, incarnation, new Message.Request(txid++, 0,
                            List.of(new Command.Commit("/s"))));
                    if (!c.ok() && c.firstError().code() != org.pohmelfs.protocol.ErrorCode.UNSTABLE_LOST) {
                        check(c);
                    }
                }
                String line = "ROUND " + n + "\n";
                report.write(line.getBytes(StandardCharsets.UTF_8));
                System.out.print(line);
                System.out.flush();
                n++;
            }
        }
    }

    static long chunks(Path export, String name) throws IOException {
        Path f = export.resolve(name);
        return Files.exists(f) ? Files.size(f) / CHUNK : 0;
    }

    /** The content of chunk {@code n} of file {@code path}: recognisable per file and chunk. */
    static byte[] chunk(String path, long n) {
        byte[] b = new byte[CHUNK];
        byte v = (byte) (path.hashCode() * 31 + n);
        java.util.Arrays.fill(b, v);
        return b;
    }

    private static Command write(String path, long n) {
        return new Command.Write(path, n * CHUNK, ByteBuffer.wrap(chunk(path, n)), true, true);
    }

    private static void check(Message.Reply r) {
        if (!r.ok()) {
            throw new IllegalStateException("transaction failed: " + r.firstError());
        }
    }
}
