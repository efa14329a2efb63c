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
    void anAppendDuringAForceWaitsForTheNextOne() {
        long t1 = append(100, "/a");
        ForceBook.Step lead = need(t1);
        assertThat(lead).isEqualTo(new ForceBook.Lead<>(t1, List.of("/a")));
        long t2 = append(40, "/b");
        assertThat(need(t2)).as("a force running for t1 does not cover t2").isInstanceOf(ForceBook.Wait.class);
        book.forced(t1);
        assertThat(need(t1)).isInstanceOf(ForceBook.Done.class);
        // /a was forced with t1's force and is not asked for again.
        assertThat(need(t2)).isEqualTo(new ForceBook.Lead<>(t2, List.of("/b")));
        book.forced(t2);
        assertThat(book.durableLsn()).isEqualTo(t2);
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
        book.failed("EIO");
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
     * Random interleavings of appends, needs and force completions against a simple model: a
     * Done is only ever given for an LSN the model has forced, a lead's files are exactly those
     * of the model's appends not yet covered, and each file is handed to a leader exactly once.
     */
    @Test
    void randomInterleavingsAgreeWithAModel() {
        Random random = new Random(20261129L);
        for (int run = 0; run < 200; run++) {
            ForceBook<String> b = new ForceBook<>();
            List<long[]> appends = new ArrayList<>(); // {lsn}
            java.util.Map<String, Long> files = new java.util.LinkedHashMap<>();
            List<String> handed = new ArrayList<>();
            long modelDurable = 0;
            long leadTarget = -1;
            for (int step = 0; step < 60; step++) {
                int op = random.nextInt(3);
                if (op == 0 || appends.isEmpty()) {
                    String f = random.nextBoolean() ? "/f" + run + "." + step : null;
                    long lsn = b.appended(1 + random.nextInt(100), f == null ? List.of() : List.of(f));
                    appends.add(new long[] {lsn});
                    if (f != null) {
                        files.put(f, lsn);
                    }
                } else if (op == 1) {
                    long lsn = appends.get(random.nextInt(appends.size()))[0];
                    ForceBook.Step s = b.need(lsn);
                    switch (s) {
                        case ForceBook.Done d -> assertThat(lsn).isLessThanOrEqualTo(modelDurable);
                        case ForceBook.Wait w -> assertThat(leadTarget).isPositive();
                        case ForceBook.Lead<?> l -> {
                            assertThat(leadTarget).isEqualTo(-1);
                            assertThat(l.target()).isEqualTo(appends.getLast()[0]);
                            for (Object f : l.before()) {
                                assertThat(handed).doesNotContain((String) f);
                            }
                            l.before().forEach(f -> handed.add((String) f));
                            leadTarget = l.target();
                        }
                        case ForceBook.Failed f -> throw new AssertionError("no failure was injected");
                    }
                } else if (leadTarget > 0) {
                    b.forced(leadTarget);
                    modelDurable = leadTarget;
                    leadTarget = -1;
                    // Every file appended up to the durable point was handed to a leader, none later.
                    for (java.util.Map.Entry<String, Long> e : files.entrySet()) {
                        assertThat(handed.contains(e.getKey())).as("file %s at %d, durable %d", e.getKey(),
                                e.getValue(), modelDurable).isEqualTo(e.getValue() <= modelDurable);
                    }
                }
                b.check();
            }
        }
    }
}
