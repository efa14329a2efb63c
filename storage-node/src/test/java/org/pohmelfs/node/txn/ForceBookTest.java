package org.pohmelfs.node.txn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Group commit's bookkeeping, step by step: who forces, who waits, what a force covers, which
 * files go before the journal. The invariant checker runs after every step.
 */
class ForceBookTest {
    private final ForceBook<String> book = new ForceBook<>();

    @AfterEach
    void invariants() {
        book.check();
    }

    private long append(long bytes, String... files) {
        long lsn = book.appended(bytes, List.of(files));
        book.check();
        return lsn;
    }

    private ForceBook.Step need(long lsn) {
        ForceBook.Step s = book.need(lsn);
        book.check();
        return s;
    }

    @Test
    void transactionsAppendedBeforeAForceShareIt() {
        long t1 = append(100, "/a");
        long t2 = append(50, "/b");
        long t3 = append(30, "/c", "/d");
        // t1's thread leads: one force covers all three, with every file before the journal.
        assertThat(need(t1)).isEqualTo(new ForceBook.Lead<>(t3, List.of("/a", "/b", "/c", "/d")));
        assertThat(need(t2)).isInstanceOf(ForceBook.Wait.class);
        assertThat(need(t3)).isInstanceOf(ForceBook.Wait.class);
        book.forced(t3);
        assertThat(need(t1)).isInstanceOf(ForceBook.Done.class);
        assertThat(need(t2)).isInstanceOf(ForceBook.Done.class);
        assertThat(need(t3)).isInstanceOf(ForceBook.Done.class);
        assertThat(book.unforced()).isFalse();
    }

    @Test
    void anAppendDuringAForceStartsTheNextForceAtOnce() {
        long t1 = append(100, "/a");
        assertThat(need(t1)).isEqualTo(new ForceBook.Lead<>(t1, List.of("/a")));
        long t2 = append(40, "/b");
        // The force running for t1 does not cover t2: t2 leads its own now, owing /a too
        // (the handle's force runs once; the second leader waits for the first one's).
        assertThat(need(t2)).isEqualTo(new ForceBook.Lead<>(t2, List.of("/a", "/b")));
        assertThat(need(t1)).as("covered by either running force").isInstanceOf(ForceBook.Wait.class);
        book.forced(t2);
        assertThat(need(t1)).as("t2's force covers t1 even though t1's has not ended")
                .isInstanceOf(ForceBook.Done.class);
        book.forced(t1);
        assertThat(book.durableLsn()).isEqualTo(t2);
        long t3 = append(10, "/c");
        assertThat(need(t3)).as("/a and /b are no longer owed").isEqualTo(new ForceBook.Lead<>(t3, List.of("/c")));
        book.forced(t3);
    }

    @Test
    void aReadAfterANotYetDurableWriteWaitsForIt() {
        // The manager hands a read the LSN of the last stable End it could see (visibleLsn).
        long write = append(100, "/f");
        long visible = write;
        assertThat(need(visible)).as("the read must force (or wait for) the write's End and /f")
                .isEqualTo(new ForceBook.Lead<>(write, List.of("/f")));
        book.forced(write);
        // A later read that sees nothing newer needs nothing.
        assertThat(need(visible)).isInstanceOf(ForceBook.Done.class);
    }

    @Test
    void anUnforcedAppendIsCoveredByTheNextForceWithoutFiles() {
        // An unstable transaction's records: no files to force before them.
        long unstable = append(64);
        long undo = append(80);
        assertThat(need(undo)).isEqualTo(new ForceBook.Lead<>(undo, List.of()));
        book.forced(undo);
        assertThat(need(unstable)).isInstanceOf(ForceBook.Done.class);
    }

    @Test
    void aFailedForceFailsEveryLaterNeedOfWhatIsNotDurable() {
        long t1 = append(10, "/a");
        book.forced(((ForceBook.Lead<?>) need(t1)).target());
        long t2 = append(10, "/b");
        need(t2);
        book.failed(t2, "EIO");
        assertThat(need(t2)).isEqualTo(new ForceBook.Failed("EIO"));
        assertThat(need(t1)).as("also what was durable: the journal is no longer trusted")
                .isEqualTo(new ForceBook.Failed("EIO"));
    }

    @Test
    void misuseIsRefused() {
        long t1 = append(10);
        assertThatThrownBy(() -> book.need(t1 + 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> book.forced(t1)).as("no force runs").isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> book.appended(0, List.of())).isInstanceOf(IllegalArgumentException.class);
    }

    /**
     * Random interleavings of appends, needs and force completions (in any order) against a
     * simple model: a Done only for an LSN that a completed force covered, a Wait only while a
     * running force covers the LSN, a lead's target is everything appended and its files are
     * exactly the model's files not covered by a completed force.
     */
    @Test
    void randomInterleavingsAgreeWithAModel() {
        Random random = new Random(20261129L);
        for (int run = 0; run < 300; run++) {
            ForceBook<String> b = new ForceBook<>();
            List<Long> appends = new ArrayList<>();
            java.util.Map<String, Long> files = new java.util.LinkedHashMap<>();
            List<Long> running = new ArrayList<>();
            long modelDurable = 0;
            for (int step = 0; step < 80; step++) {
                int op = random.nextInt(3);
                if (op == 0 || appends.isEmpty()) {
                    String f = random.nextBoolean() ? "/f" + step : null;
                    long lsn = b.appended(1 + random.nextInt(100), f == null ? List.of() : List.of(f));
                    appends.add(lsn);
                    if (f != null) {
                        files.put(f, lsn);
                    }
                } else if (op == 1) {
                    long lsn = appends.get(random.nextInt(appends.size()));
                    boolean covered = running.stream().anyMatch(t -> t >= lsn);
                    long durable = modelDurable;
                    switch (b.need(lsn)) {
                        case ForceBook.Done d -> assertThat(lsn).isLessThanOrEqualTo(modelDurable);
                        case ForceBook.Wait w -> assertThat(covered && lsn > modelDurable).isTrue();
                        case ForceBook.Lead<?> l -> {
                            assertThat(covered || lsn <= modelDurable).isFalse();
                            assertThat(l.target()).isEqualTo(appends.getLast());
                            assertThat((List<Object>) new ArrayList<Object>(l.before())).containsExactlyElementsOf(files.entrySet().stream()
                                    .filter(e -> e.getValue() > durable).map(java.util.Map.Entry::getKey).toList());
                            running.add(l.target());
                        }
                        case ForceBook.Failed f -> throw new AssertionError("no failure was injected");
                    }
                } else if (!running.isEmpty()) {
                    long target = running.remove(random.nextInt(running.size()));
                    b.forced(target);
                    modelDurable = Math.max(modelDurable, target);
                    assertThat(b.durableLsn()).isEqualTo(modelDurable);
                }
                b.check();
            }
        }
    }
}
