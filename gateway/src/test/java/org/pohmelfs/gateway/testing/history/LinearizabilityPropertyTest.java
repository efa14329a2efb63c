package org.pohmelfs.gateway.testing.history;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.pohmelfs.gateway.testing.history.RegisterOp.Action;

/**
 * Histories made from a sequential execution of a register: each operation takes effect at its
 * own point in time, its invocation and completion are spread randomly around that point (so
 * operations overlap), and some changes lose their answer (outcome unknown; some of those did
 * not take effect at all). Such a history is linearizable by construction; the same history
 * with one read answering a value never written is not.
 */
class LinearizabilityPropertyTest {

    /** A history generated from {@code seed}; the returned list is in generation order. */
    static List<RegisterOp> sequentialWithOverlap(long seed, int count, int spread) {
        Random random = new Random(seed);
        List<RegisterOp> ops = new ArrayList<>();
        String value = null;
        int written = 0;
        for (int i = 0; i < count; i++) {
            long point = 1000L + 100L * i;
            long invoked = point - random.nextInt(spread * 100 + 1);
            long completed = point + random.nextInt(spread * 100 + 1);
            int process = random.nextInt(5);
            int kind = random.nextInt(10);
            if (kind < 4) {
                String v = "v" + written++;
                boolean lost = random.nextInt(6) == 0;
                boolean applied = !lost || random.nextBoolean();
                if (lost && !applied) {
                    ops.add(new RegisterOp(i + 1, process, new Action.Write(v), invoked, RegisterOp.UNKNOWN));
                    continue;
                }
                value = v;
                ops.add(new RegisterOp(i + 1, process, new Action.Write(v), invoked, lost ? RegisterOp.UNKNOWN : completed));
            } else if (kind < 5) {
                boolean existed = value != null;
                value = null;
                ops.add(new RegisterOp(i + 1, process, new Action.Delete(existed), invoked, completed));
            } else {
                ops.add(new RegisterOp(i + 1, process, new Action.Read(value), invoked, completed));
            }
        }
        return ops;
    }

    @Property(tries = 300)
    void aSequentialExecutionWithRandomOverlapIsAlwaysLinearizable(@ForAll long seed,
                                                                   @ForAll @IntRange(min = 1, max = 60) int count,
                                                                   @ForAll @IntRange(min = 0, max = 4) int spread) {
        List<RegisterOp> ops = sequentialWithOverlap(seed, count, spread);
        Linearizability.Result r = Linearizability.check(ops);
        assertThat(r.linearizable()).as("seed %d: %s", seed, r.explanation()).isTrue();
        assertThat(r.order()).containsAll(ops.stream().filter(o -> !o.maybe()).toList());
    }

    @Property(tries = 300)
    void aReadOfAValueNeverWrittenIsAlwaysCaught(@ForAll long seed,
                                                @ForAll @IntRange(min = 1, max = 60) int count,
                                                @ForAll @IntRange(min = 0, max = 4) int spread) {
        List<RegisterOp> ops = new ArrayList<>(sequentialWithOverlap(seed, count, spread));
        List<Integer> reads = new ArrayList<>();
        for (int i = 0; i < ops.size(); i++) {
            if (ops.get(i).action() instanceof Action.Read) {
                reads.add(i);
            }
        }
        int victim = reads.isEmpty() ? -1 : reads.get(new Random(seed).nextInt(reads.size()));
        RegisterOp bad = victim < 0 ? new RegisterOp(count + 1, 9, new Action.Read("never"), 0, 1)
                : new RegisterOp(ops.get(victim).id(), ops.get(victim).process(), new Action.Read("never"),
                        ops.get(victim).invoked(), ops.get(victim).completed());
        if (victim < 0) {
            ops.add(bad);
        } else {
            ops.set(victim, bad);
        }
        Linearizability.Result r = Linearizability.check(ops);
        assertThat(r.linearizable()).as("seed %d", seed).isFalse();
        assertThat(r.explanation()).contains("read->never");
    }
}
