package org.pohmelfs.node.txn;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pohmelfs.node.store.StoreSettings;
import org.pohmelfs.protocol.Command;
import org.pohmelfs.protocol.ErrorCode;

/**
 * SIGKILLs a child JVM ({@link UnstableCrashChild}) in the middle of a stream of unstable writes,
 * several times. After each kill the reopened node must hold, per file, a prefix consistent with
 * the acknowledged writes (every acknowledged chunk, at most the one in flight beyond, each with
 * its own bytes), both files of a two-file transaction alike, and answer COMMIT with
 * UNSTABLE_LOST (its new incarnation cannot vouch for the writes). A process crash loses
 * nothing: the journal and the data are in the page cache.
 */
class UnstableCrashTest {
    private static final int KILLS = 4;

    @TempDir
    Path dir;

    @Test
    void sigkillDuringUnstableWritesLeavesAConsistentPrefix() throws Exception {
        Path export = Files.createDirectory(dir.resolve("export"));
        Random random = new Random(20261129L);
        long lastRound = -1;
        for (int round = 0; round < KILLS; round++) {
            Process child = start(export, round);
            int target = 5 + random.nextInt(20);
            int seen = 0;
            try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(),
                    StandardCharsets.UTF_8))) {
                String line;
                while (seen < target && (line = out.readLine()) != null) {
                    if (line.startsWith("ROUND ")) {
                        seen++;
                    }
                }
                assertThat(seen).as("child output, see %s", dir.resolve("child.err")).isEqualTo(target);
                // Runs on for a random 0-5 ms (waitFor only times out) so the kill lands mid-transaction.
                assertThat(child.waitFor(random.nextInt(5_000), TimeUnit.MICROSECONDS)).isFalse();
                child.destroyForcibly();
                assertThat(child.waitFor(20, TimeUnit.SECONDS)).isTrue();
            }
            for (String line : Files.readAllLines(dir.resolve("report"))) {
                if (line.startsWith("ROUND ")) {
                    lastRound = Math.max(lastRound, Long.parseLong(line.substring(6)));
                }
            }
            verify(export, lastRound);
        }
    }

    private Process start(Path export, int round) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                UnstableCrashChild.class.getName(), export.toString(), dir.resolve("report").toString(),
                Integer.toString(100 + round));
        pb.redirectError(ProcessBuilder.Redirect.appendTo(dir.resolve("child.err").toFile()));
        return pb.start();
    }

    private static void verify(Path export, long lastRound) throws IOException {
        try (TransactionManager tm = TransactionManager.open(StoreSettings.defaults(export))) {
            Fixture fx = new Fixture(tm);
            long s = checkFile(export, "s", lastRound);
            long p1 = checkFile(export, "p1", lastRound);
            long p2 = checkFile(export, "p2", lastRound);
            assertThat(p1).as("/p1 and /p2 change in one transaction").isEqualTo(p2);
            assertThat(s).as("/s is written before the pair in each round").isBetween(p1, p1 + 1);
            for (String f : new String[] {"/s", "/p1", "/p2"}) {
                assertThat(fx.err(new Command.Commit(f))).as("COMMIT %s after a restart", f)
                        .isEqualTo(ErrorCode.UNSTABLE_LOST);
            }
        }
    }

    /** Checks the chunks of one file and returns how many it has. */
    private static long checkFile(Path export, String name, long lastRound) throws IOException {
        byte[] all = Files.readAllBytes(export.resolve(name));
        assertThat(all.length % UnstableCrashChild.CHUNK).as("/%s holds whole chunks", name).isZero();
        long chunks = all.length / UnstableCrashChild.CHUNK;
        assertThat(chunks).as("/%s holds every acknowledged chunk, at most one more", name)
                .isBetween(lastRound + 1, lastRound + 2);
        for (int i = 0; i < chunks; i++) {
            byte[] got = Arrays.copyOfRange(all, i * UnstableCrashChild.CHUNK, (i + 1) * UnstableCrashChild.CHUNK);
            assertThat(got).as("chunk %d of /%s", i, name).isEqualTo(UnstableCrashChild.chunk("/" + name, i));
        }
        return chunks;
    }
}
