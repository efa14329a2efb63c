package org.pohmelfs.gateway.testing.history;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Checks that a history of operations on ONE register is linearizable: there is a total order
 * of the operations, consistent with real time (an operation that completed before another was
 * invoked comes first), in which every answer is the one a single register would give.
 * Operations of unknown outcome may be placed anywhere after their invocation, or left out.
 * Linearizability is compositional, so a history of several objects is checked per object.
 *
 * <p>Pure and deterministic. The search is Wing and Gong's, with Lowe's memoization: a
 * depth-first search over "which operation takes effect next", where only an operation invoked
 * before every pending completed operation finished may go next; a (set of operations done,
 * register value) configuration seen before is not explored again. Worst case exponential in
 * the number of concurrent operations, linear-ish for histories with little overlap.
 */
public final class Linearizability {
    private Linearizability() {
    }

    /** The verdict; when not linearizable, an explanation a person can follow. */
    public record Result(boolean linearizable, List<RegisterOp> order, String explanation) {
    }

    /** Checks a history of one register that starts absent. */
    public static Result check(List<RegisterOp> history) {
        return check(history, null);
    }

    /** Checks a history of one register whose value before the first operation is {@code initial}. */
    public static Result check(List<RegisterOp> history, String initial) {
        List<RegisterOp> ops = new ArrayList<>(history);
        ops.sort(Comparator.comparingLong(RegisterOp::invoked).thenComparingInt(RegisterOp::id));
        Search s = new Search(ops);
        if (s.run(initial)) {
            return new Result(true, s.found(), "linearizable: " + s.found().size() + " operations placed");
        }
        return new Result(false, List.of(), s.explain(initial));
    }

    /** The register's value after {@code op} from {@code value}, or {@link #IMPOSSIBLE}. */
    private static Object step(Object value, RegisterOp op) {
        String v = (String) value;
        return switch (op.action()) {
            case RegisterOp.Action.Write w -> w.value();
            case RegisterOp.Action.Read r -> Objects.equals(r.value(), v) ? v : IMPOSSIBLE;
            case RegisterOp.Action.Delete d -> op.maybe() || d.existed() == (v != null) ? null : IMPOSSIBLE;
        };
    }

    private static final Object IMPOSSIBLE = new Object();

    /** The depth-first search, with its memo and the deepest dead end for the explanation. */
    private static final class Search {
        private final List<RegisterOp> ops;
        private final int required;
        private final Set<Config> seen = new HashSet<>();
        private final List<RegisterOp> path = new ArrayList<>();
        private List<RegisterOp> found = List.of();
        private List<RegisterOp> deepest = List.of();
        private String deepestValue;
        private BitSet deepestDone = new BitSet();
        private long deepestCount = -1;

        Search(List<RegisterOp> ops) {
            this.ops = ops;
            this.required = (int) ops.stream().filter(o -> !o.maybe()).count();
        }

        private record Config(BitSet done, String value) {
        }

        List<RegisterOp> found() {
            return found;
        }

        /** A level of the search: the operation placed to reach it and where to resume among the candidates. */
        private static final class Frame {
            final int placed;
            final String before;
            final long horizon;
            int cursor;

            Frame(int placed, String before, long horizon) {
                this.placed = placed;
                this.before = before;
                this.horizon = horizon;
            }
        }

        /** Depth-first, with an explicit stack: histories of thousands of operations are deep. */
        boolean run(String initial) {
            BitSet done = new BitSet(ops.size());
            String value = initial;
            int requiredDone = 0;
            java.util.ArrayDeque<Frame> stack = new java.util.ArrayDeque<>();
            Frame top = null;
            int placed = -1;
            String before = null;
            boolean entering = true;
            while (true) {
                if (entering) {
                    entering = false;
                    if (requiredDone == required) {
                        found = List.copyOf(path);
                        return true;
                    }
                    if (seen.add(new Config((BitSet) done.clone(), value))) {
                        if (requiredDone > deepestCount) {
                            deepestCount = requiredDone;
                            deepest = List.copyOf(path);
                            deepestValue = value;
                            deepestDone = (BitSet) done.clone();
                        }
                        top = new Frame(placed, before, horizon(done));
                        stack.push(top);
                    } else {
                        // seen before: take the placement back and go on with the parent's next candidate
                        if (placed < 0) {
                            return false;
                        }
                        done.clear(placed);
                        path.removeLast();
                        requiredDone -= ops.get(placed).maybe() ? 0 : 1;
                        value = before;
                        top = stack.peek();
                    }
                }
                int next = -1;
                Object after = null;
                for (int i = done.nextClearBit(top.cursor); i < ops.size(); i = done.nextClearBit(i + 1)) {
                    RegisterOp op = ops.get(i);
                    if (op.invoked() > top.horizon) {
                        break; // sorted by invocation: no later one may go next either
                    }
                    after = step(value, op);
                    if (after != IMPOSSIBLE) {
                        next = i;
                        break;
                    }
                }
                if (next >= 0) {
                    top.cursor = next + 1;
                    done.set(next);
                    path.add(ops.get(next));
                    placed = next;
                    before = value;
                    value = (String) after;
                    requiredDone += ops.get(next).maybe() ? 0 : 1;
                    entering = true;
                    continue;
                }
                stack.pop();
                if (top.placed < 0) {
                    return false;
                }
                done.clear(top.placed);
                path.removeLast();
                requiredDone -= ops.get(top.placed).maybe() ? 0 : 1;
                value = top.before;
                top = stack.peek();
            }
        }

        /** The earliest completion among the completed operations not yet placed. */
        private long horizon(BitSet done) {
            long min = Long.MAX_VALUE;
            for (int i = done.nextClearBit(0); i < ops.size(); i = done.nextClearBit(i + 1)) {
                min = Math.min(min, ops.get(i).completed());
            }
            return min;
        }

        String explain(String initial) {
            StringBuilder b = new StringBuilder("not linearizable. ");
            b.append("Starting from ").append(show(initial)).append(", the longest consistent order places ")
                    .append(deepest.size()).append(" operation(s)");
            if (!deepest.isEmpty()) {
                b.append(":\n");
                String v = initial;
                for (RegisterOp op : deepest) {
                    v = (String) step(v, op);
                    b.append("  ").append(op).append("  => ").append(show(v)).append('\n');
                }
            } else {
                b.append(".\n");
            }
            b.append("With the register at ").append(show(deepestValue)).append(", no operation can go next:\n");
            long horizon = horizon(deepestDone);
            for (int i = deepestDone.nextClearBit(0); i < ops.size(); i = deepestDone.nextClearBit(i + 1)) {
                RegisterOp op = ops.get(i);
                if (op.invoked() > horizon) {
                    b.append("  (later operations must wait for one that completed at ").append(horizon).append(")\n");
                    break;
                }
                b.append("  ").append(op).append(": ").append(step(deepestValue, op) == IMPOSSIBLE
                        ? "its answer does not fit " + show(deepestValue)
                        : "fits, but every order after it fails").append('\n');
            }
            return b.toString();
        }

        private static String show(String v) {
            return v == null ? "absent" : "'" + v + "'";
        }
    }
}
