package org.pohmelfs.node.txn;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pohmelfs.node.store.StoreSettings;

/**
 * SIGKILLs a child JVM ({@link GroupCommitCrashChild}) while {@value GroupCommitCrashChild#WRITERS}
 * transactions are in flight and share journal forces, several times. After each kill the
 * reopened export must hold every answered transaction (each writer's files at its last
 * reported round or the one in flight after it), both files of a transaction alike, each with
 * its own bytes.
 */
class GroupCommitCrashTest {
    private static final int KILLS = 3;

    @TempDir
    Path dir;

    @Test
    void sigkillWithManyTransactionsInFlightKeepsEveryAnsweredOne() throws Exception {
        Path export = Files.createDirectory(dir.resolve("export"));
        Random random = new Random(20261129L);
        for (int round = 0; round < KILLS; round++) {
            Process child = start(export, round);
            int target = 100 + random.nextInt(200);
            int seen = 0;
            try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(),
                    StandardCharsets.UTF_8))) {
                String line;
                while (seen < target && (line = out.readLine()) != null) {
                    if (line.startsWith("OK ")) {
                        seen++;
                    }
                }
                assertThat(seen).as("child output, see %s", dir.resolve("child.err")).isEqualTo(target);
                // Runs on for a random 0-5 ms (waitFor only times out) so the kill lands mid-transaction.
                assertThat(child.waitFor(random.nextInt(5_000), TimeUnit.MICROSECONDS)).isFalse();
                child.destroyForcibly();
                assertThat(child.waitFor(20, TimeUnit.SECONDS)).isTrue();
            }
            long[] last = new long[GroupCommitCrashChild.WRITERS];
            java.util.Arrays.fill(last, -1);
            for (String line : Files.readAllLines(dir.resolve("report"))) {
                String[] f = line.split(" ");
                if (f.length == 3 && f[0].equals("OK")) {
                    int k = Integer.parseInt(f[1]);
                    last[k] = Math.max(last[k], Long.parseLong(f[2]));
                }
            }
            verify(export, last);
        }
    }

    private Process start(Path export, int round) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                GroupCommitCrashChild.class.getName(), export.toString(), dir.resolve("report").toString(),
                Integer.toString(100 + round));
        pb.redirectError(ProcessBuilder.Redirect.appendTo(dir.resolve("child.err").toFile()));
        return pb.start();
    }

    private static void verify(Path export, long[] last) throws IOException {
        // Opening recovers: transactions without an End record are rolled back.
        TransactionManager.open(StoreSettings.defaults(export)).close();
        for (int k = 0; k < last.length; k++) {
            long a = GroupCommitCrashChild.round(export, k + ".a");
            long b = GroupCommitCrashChild.round(export, k + ".b");
            assertThat(a).as("/%d.a and /%d.b change in one transaction", k, k).isEqualTo(b);
            assertThat(a).as("writer %d: every answered round is there, at most the one in flight beyond", k)
                    .isBetween(last[k], last[k] + 1);
            for (String name : new String[] {k + ".a", k + ".b"}) {
                assertThat(Files.readAllBytes(export.resolve(name))).as("/%s", name)
                        .isEqualTo(GroupCommitCrashChild.content(k, a));
            }
        }
    }
}
