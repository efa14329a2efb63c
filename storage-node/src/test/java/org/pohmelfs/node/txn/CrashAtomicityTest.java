package org.pohmelfs.node.txn;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pohmelfs.node.store.StoreSettings;
import org.pohmelfs.protocol.Message;

/**
 * Kills a child JVM ({@link CrashChild}) with SIGKILL in the middle of its transactions, several
 * times, and checks after each kill that the export holds exactly the committed transactions,
 * with the same versions as a reference export that applied them without a crash (rule B makes
 * versions a function of the set of committed transactions).
 */
class CrashAtomicityTest {
    private static final int KILLS = 10;

    private static final long ROOT_VERSION = 0x5eed_0000_0000_0001L;

    @TempDir
    Path dir;
    private TransactionManager reference;
    private long referenceAt;

    @Test
    void sigkillNeverLeavesAHalfAppliedTransaction() throws Exception {
        Path export = Files.createDirectory(dir.resolve("export"));
        Fixture.seedRootVersion(export, ROOT_VERSION);
        Path ref = Files.createDirectory(dir.resolve("reference"));
        Fixture.seedRootVersion(ref, ROOT_VERSION);
        reference = TransactionManager.open(StoreSettings.defaults(ref).withFsync(false));
        CrashChild.check(reference.apply(CrashChild.PEER, CrashChild.INCARNATION, CrashChild.setup()));
        try {
            kill(export, ref);
        } finally {
            reference.close();
        }
    }

    private void kill(Path export, Path ref) throws Exception {
        Random random = new Random(20240611L);
        long lastReported = -1;
        String lastReply = null;
        int interrupted = 0;
        for (int round = 0; round < KILLS; round++) {
            Process child = start(export, round % 2 == 0);
            int target = 1 + random.nextInt(12);
            int seen = 0;
            try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while (seen < target && (line = out.readLine()) != null) {
                    if (line.startsWith("COMMITTED ")) {
                        seen++;
                    }
                }
                assertThat(seen).as("child output, see %s", dir.resolve("child.err")).isEqualTo(target);
                // Let it run on for a random 0-25 ms (the child never exits by itself, so this
                // waitFor only times out) so the kill lands at a random point of a transaction.
                assertThat(child.waitFor(random.nextInt(25_000), TimeUnit.MICROSECONDS)).isFalse();
                child.destroyForcibly();
                assertThat(child.waitFor(20, TimeUnit.SECONDS)).isTrue();
            }
            for (String line : Files.readAllLines(dir.resolve("report"))) {
                if (line.startsWith("COMMITTED ")) {
                    String[] parts = line.split(" ");
                    lastReported = Long.parseLong(parts[1]);
                    lastReply = parts[2];
                }
            }
            interrupted += verify(export, ref, lastReported, lastReply) ? 1 : 0;
        }
        System.out.println("kills that interrupted a transaction: " + interrupted + " of " + KILLS);
    }

    private Process start(Path export, boolean fsync) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                CrashChild.class.getName(), export.toString(), Boolean.toString(fsync), dir.resolve("report").toString());
        pb.redirectError(ProcessBuilder.Redirect.appendTo(dir.resolve("child.err").toFile()));
        return pb.start();
    }

    /** Returns whether the kill interrupted a transaction (its journal ends without a decision). */
    private boolean verify(Path export, Path ref, long lastReported, String lastReply) throws IOException {
        List<JournalRecord> journal = Journal.read(export.resolve(".pohmelfs/journal"));
        boolean interrupted = !journal.isEmpty() && !(journal.getLast() instanceof JournalRecord.End);
        try (TransactionManager tm = TransactionManager.open(StoreSettings.defaults(export))) {
            long n = CrashChild.current(export);
            assertThat(n).as("every reported commit is in effect").isBetween(lastReported, lastReported + 1);
            assertThat(Files.readString(export.resolve("b"))).isEqualTo(Long.toString(n));
            boolean right = n % 2 == 1;
            assertThat(Files.exists(export.resolve(right ? "right/token" : "left/token"))).isTrue();
            assertThat(Files.exists(export.resolve(right ? "left/token" : "right/token"))).isFalse();
            try (Stream<Path> s = Files.list(export)) {
                List<String> trees = s.map(p -> p.getFileName().toString()).filter(f -> f.startsWith("tree-")).toList();
                assertThat(trees).containsExactly("tree-" + n);
            }
            assertThat(Files.isDirectory(export.resolve("tree-" + n + "/x/y"))).isTrue();
            byte[] big = Files.readAllBytes(export.resolve("big"));
            assertThat(big).hasSize(1_500_000);
            byte expected = n == 0 ? (byte) '0' : (byte) ('a' + n % 26);
            assertThat(big[0]).isEqualTo(expected);
            assertThat(big[big.length - 1]).isEqualTo(expected);
            while (referenceAt < n) {
                referenceAt++;
                CrashChild.check(reference.apply(CrashChild.PEER, CrashChild.INCARNATION, CrashChild.transaction(referenceAt)));
            }
            assertThat(Fixture.versions(export)).as("versions after recovery, as without a crash").isEqualTo(Fixture.versions(ref));

            Message.Reply resent = tm.apply(CrashChild.PEER, CrashChild.INCARNATION, CrashChild.transaction(lastReported));
            assertThat(resent).isEqualTo(ReplyCodec.decode(lastReported, HexFormat.of().parseHex(lastReply)));
            assertThat(CrashChild.current(export)).as("the resend was not applied again").isEqualTo(n);
            assertThat(Fixture.versions(export)).as("nor changed a version").isEqualTo(Fixture.versions(ref));
        }
        return interrupted;
    }
}
