package org.pohmelfs.node.txn;

import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import org.pohmelfs.node.store.StoreSettings;
import org.pohmelfs.protocol.Command;
import org.pohmelfs.protocol.Message;

/**
 * Test main run as a child JVM by {@link CrashAtomicityTest}: applies numbered transactions
 * forever and reports {@code COMMITTED <n> <encoded reply>} after each, until it is killed. The
 * report goes to a file (one unbuffered write per line, so it survives the kill) and to stdout
 * (which the parent reads to pace its kills).
 *
 * <p>Transaction n (peer "crash-child", incarnation 42, txid n) writes "n" into /a and /b, moves
 * /left/token or /right/token to the other folder (right when n is odd), creates /tree-n/x/y,
 * deletes /tree-(n-1) recursively, and overwrites /big (1.5 MiB, so its undo uses a side file).
 */
public final class CrashChild {
    static final String PEER = "crash-child";
    static final long INCARNATION = 42;

    private CrashChild() {
    }

    public static void main(String[] args) throws IOException {
        Path export = Path.of(args[0]);
        boolean fsync = Boolean.parseBoolean(args[1]);
        try (TransactionManager tm = TransactionManager.open(StoreSettings.defaults(export).withFsync(fsync));
             FileOutputStream report = new FileOutputStream(args[2], true)) {
            long n = current(export);
            if (n == 0) {
                check(tm.apply(PEER, INCARNATION, setup()));
            }
            while (true) {
                n++;
                Message.Request req = transaction(n);
                Message.Reply r = tm.apply(PEER, INCARNATION, req);
                check(r);
                String line = "COMMITTED " + n + " " + HexFormat.of().formatHex(ReplyCodec.encode(r.results())) + "\n";
                report.write(line.getBytes(StandardCharsets.UTF_8));
                System.out.print(line);
                System.out.flush();
            }
        }
    }

    /** The last committed n, from the export's files (0 when the export is new). */
    static long current(Path export) throws IOException {
        Path a = export.resolve("a");
        return Files.exists(a) ? Long.parseLong(Files.readString(a, StandardCharsets.UTF_8)) : 0;
    }

    /** Transaction 0, which sets the export up. */
    static Message.Request setup() {
        return new Message.Request(0, 0, List.of(
                write("/a", "0"), write("/b", "0"), new Command.Mkdir("/left", false, 0),
                new Command.Mkdir("/right", false, 0), write("/left/token", "t"),
                new Command.Mkdir("/tree-0", false, 0), write("/big", "0".repeat(1_500_000))));
    }

    static Message.Request transaction(long n) {
        String from = n % 2 == 1 ? "/left/token" : "/right/token";
        String to = n % 2 == 1 ? "/right/token" : "/left/token";
        String v = Long.toString(n);
        String big = Character.toString('a' + (int) (n % 26)).repeat(1_500_000);
        return new Message.Request(n, 0, List.of(
                new Command.Truncate("/a", 0), write("/a", v),
                new Command.Rename(from, to, true),
                new Command.Mkdir("/tree-" + n + "/x/y", true, 0),
                new Command.Delete("/tree-" + (n - 1), true),
                new Command.Truncate("/big", 10),
                write("/big", big),
                new Command.Truncate("/b", 0), write("/b", v),
                new Command.Stat("/a")));
    }

    private static Command write(String path, String data) {
        return new Command.Write(path, 0, Fixture.bytes(data), true);
    }

    static void check(Message.Reply r) {
        if (!r.ok()) {
            throw new IllegalStateException("transaction failed: " + r.firstError());
        }
    }
}
