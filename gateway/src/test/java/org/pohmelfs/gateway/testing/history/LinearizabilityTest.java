package org.pohmelfs.gateway.testing.history;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.pohmelfs.gateway.testing.history.RegisterOp.Action;

/** Hand-written histories, linearizable and not, with the reason in each test's name. */
class LinearizabilityTest {
    private final List<RegisterOp> h = new ArrayList<>();

    private LinearizabilityTest w(int process, String value, long from, long to) {
        h.add(new RegisterOp(h.size() + 1, process, new Action.Write(value), from, to));
        return this;
    }

    private LinearizabilityTest r(int process, String value, long from, long to) {
        h.add(new RegisterOp(h.size() + 1, process, new Action.Read(value), from, to));
        return this;
    }

    private LinearizabilityTest d(int process, boolean existed, long from, long to) {
        h.add(new RegisterOp(h.size() + 1, process, new Action.Delete(existed), from, to));
        return this;
    }

    private LinearizabilityTest wMaybe(int process, String value, long from) {
        return w(process, value, from, RegisterOp.UNKNOWN);
    }

    private LinearizabilityTest dMaybe(int process, long from) {
        return d(process, true, from, RegisterOp.UNKNOWN);
    }

    private Linearizability.Result check() {
        return Linearizability.check(h);
    }

    private void linearizable() {
        Linearizability.Result r = check();
        assertThat(r.linearizable()).as(r.explanation()).isTrue();
        assertThat(r.order()).containsAll(h.stream().filter(o -> !o.maybe()).toList());
    }

    private String notLinearizable() {
        Linearizability.Result r = check();
        assertThat(r.linearizable()).as("expected a violation in %s", h).isFalse();
        assertThat(r.explanation()).startsWith("not linearizable");
        return r.explanation();
    }

    @Test
    void anEmptyHistoryAndAReadOfTheInitialAbsence() {
        linearizable();
        r(1, null, 0, 1);
        linearizable();
    }

    @Test
    void sequentialWritesAndReads() {
        w(1, "a", 0, 1).r(2, "a", 2, 3).w(2, "b", 4, 5).r(1, "b", 6, 7).d(1, true, 8, 9).r(2, null, 10, 11)
                .d(2, false, 12, 13);
        linearizable();
    }

    @Test
    void aStaleReadAfterANewerWriteCompletedIsAViolation() {
        w(1, "a", 0, 1).w(2, "b", 2, 3).r(3, "a", 4, 5);
        String why = notLinearizable();
        assertThat(why).contains("#3 p3 read->a").contains("'b'");
    }

    @Test
    void aReadOfAValueNeverWrittenIsAViolation() {
        w(1, "a", 0, 1).r(2, "z", 2, 3);
        assertThat(notLinearizable()).contains("read->z");
    }

    @Test
    void aReadOfSomethingBeforeItWasWrittenIsAViolation() {
        r(2, "a", 0, 1).w(1, "a", 2, 3);
        notLinearizable();
    }

    @Test
    void aLostWriteIsAViolation() {
        // two concurrent writes; once both completed, readers must agree on one of them for good
        w(1, "a", 0, 10).w(2, "b", 0, 10).r(3, "a", 11, 12).r(3, "b", 13, 14);
        notLinearizable();
    }

    @Test
    void aReadConcurrentWithAWriteMaySeeEitherValue() {
        w(1, "a", 0, 1).w(2, "b", 2, 10).r(3, "a", 3, 4).r(4, "b", 5, 6);
        linearizable();
    }

    @Test
    void butOnceOneReaderSawTheNewValueALaterReaderMustNot() {
        w(1, "a", 0, 1).w(2, "b", 2, 10).r(3, "b", 3, 4).r(4, "a", 5, 6);
        assertThat(notLinearizable()).contains("read->a");
    }

    @Test
    void overlappingReadsMaySeeOldAndNewInEitherOrder() {
        w(1, "a", 0, 1).w(2, "b", 2, 10).r(3, "b", 3, 6).r(4, "a", 5, 8);
        linearizable();
    }

    @Test
    void concurrentWritersAndAReadThatOrdersThem() {
        w(1, "a", 0, 10).w(2, "b", 0, 10).w(3, "c", 0, 10).r(4, "b", 11, 12).r(5, "b", 13, 14);
        linearizable();
    }

    @Test
    void aReaderThatSeesAThenBThenAAgainWhileOnlyOneWriteOfAIsAViolation() {
        w(1, "a", 0, 20).w(2, "b", 0, 20).r(3, "a", 1, 2).r(3, "b", 3, 4).r(3, "a", 5, 6);
        notLinearizable();
    }

    @Test
    void anOperationThatCompletesExactlyWhenAnotherStartsMayBeOrderedEitherWay() {
        w(1, "a", 0, 5).r(2, null, 5, 6);
        linearizable();
    }

    @Test
    void aWriteOfUnknownOutcomeMayHaveTakenEffect() {
        w(1, "a", 0, 1).wMaybe(2, "b", 2).r(3, "b", 10, 11).r(3, "b", 12, 13);
        linearizable();
    }

    @Test
    void aWriteOfUnknownOutcomeMayNeverHaveTakenEffect() {
        w(1, "a", 0, 1).wMaybe(2, "b", 2).r(3, "a", 10, 11).r(3, "a", 12, 13);
        linearizable();
    }

    @Test
    void aWriteOfUnknownOutcomeTakesEffectAtMostOnce() {
        w(1, "a", 0, 1).wMaybe(2, "b", 2).r(3, "b", 10, 11).r(3, "a", 12, 13).r(3, "b", 14, 15);
        notLinearizable();
    }

    @Test
    void aWriteOfUnknownOutcomeCannotTakeEffectBeforeItWasSent() {
        r(3, "b", 0, 1).wMaybe(2, "b", 2);
        notLinearizable();
    }

    @Test
    void aDeleteOfUnknownOutcome() {
        w(1, "a", 0, 1).dMaybe(2, 2).r(3, null, 5, 6);
        linearizable();
        r(3, "a", 7, 8);
        notLinearizable();
    }

    @Test
    void aDeleteThatFoundNothingWhileTheObjectSurelyExistedIsAViolation() {
        w(1, "a", 0, 1).d(2, false, 2, 3);
        notLinearizable();
    }

    @Test
    void aReadOfAbsenceAfterADeleteWasSeenAndBeforeANewWrite() {
        w(1, "a", 0, 1).d(2, true, 2, 3).r(3, null, 4, 5).w(1, "b", 6, 7).r(3, "b", 8, 9);
        linearizable();
        r(2, null, 10, 11);
        notLinearizable();
    }

    @Test
    void aGivenInitialValue() {
        r(1, "init", 0, 1);
        assertThat(Linearizability.check(h, "init").linearizable()).isTrue();
        assertThat(Linearizability.check(h).linearizable()).isFalse();
    }

    @Test
    void manyConcurrentWritesAreCheckedThanksToTheMemo() {
        // 14 writes all overlapping and a read of each value in turn afterwards would need 14!
        // orders without the memo; the final reads pin the last write
        for (int i = 0; i < 14; i++) {
            w(i, "v" + i, 0, 100);
        }
        r(20, "v7", 101, 102).r(21, "v7", 103, 104);
        linearizable();
        r(22, "v3", 105, 106);
        notLinearizable();
    }

    @Test
    void aLongSequentialHistory() {
        AtomicLong t = new AtomicLong();
        for (int i = 0; i < 2000; i++) {
            w(i % 3, "v" + i, t.getAndIncrement(), t.getAndIncrement());
            r((i + 1) % 3, "v" + i, t.getAndIncrement(), t.getAndIncrement());
        }
        linearizable();
    }

    @Test
    void theHistoryRecorderGroupsByObjectAndChecksEach() {
        AtomicLong clock = new AtomicLong();
        History history = new History(clock::incrementAndGet);
        long t = history.now();
        history.ok("x", 1, new Action.Write("1"), t);
        t = history.now();
        history.ok("y", 1, new Action.Read(null), t);
        t = history.now();
        history.ok("x", 2, new Action.Read("1"), t);
        t = history.now();
        history.unknown("y", 2, new Action.Write("2"), t);
        t = history.now();
        history.ok("y", 1, new Action.Read("3"), t);
        assertThat(history.operations()).containsOnlyKeys("x", "y");
        assertThat(history.check().get("x").linearizable()).isTrue();
        assertThat(history.check().get("y").linearizable()).isFalse();
    }
}
