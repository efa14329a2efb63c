package org.pohmelfs.coherence;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.pohmelfs.protocol.ObjectPath;

/**
 * Runs one command of the lock-table script language and prints what came out. The table
 * starts at time 0 with a 10 s lease, so the grace period ends at 10s. Commands:
 * <pre>
 *   acquire G PATH S|X object|subtree rN    release G PATH     downgrade G PATH
 *   renew G     ack pN     gone G     tick DURATION (e.g. 5s, 500ms; adds to the clock)
 *   grace DURATION (no grant until now + DURATION; "grace 0s" ends a grace at once)
 *   stabilize   (every holder not gone acks every recall it was sent, until none is left)
 *   state       (prints the leases and the queue)
 * </pre>
 * After each command the runner prints {@code ready()} (or "ok" when empty), checks the
 * invariants and calls {@code advance()}.
 */
final class LockScript {
    private final LockTable table = LockTable.create(0, 10_000_000_000L);
    private final Map<Long, LockReady.Recall> outstanding = new LinkedHashMap<>();
    private final Set<String> gone = new HashSet<>();

    String run(String command) {
        String[] w = command.trim().split("\\s+");
        List<String> out = new ArrayList<>();
        switch (w[0]) {
            case "acquire" -> step(new LockEvent.Acquire(w[1], ObjectPath.parse(w[2]), mode(w[3]), scope(w[4]), id(w[5], "r")), out);
            case "release" -> step(new LockEvent.Release(w[1], ObjectPath.parse(w[2])), out);
            case "downgrade" -> step(new LockEvent.Downgrade(w[1], ObjectPath.parse(w[2])), out);
            case "renew" -> step(new LockEvent.Renew(w[1]), out);
            case "extend" -> step(new LockEvent.Extend(w[1], ObjectPath.parse(w[2])), out);
            case "ack" -> {
                outstanding.remove(id(w[1], "p"));
                step(new LockEvent.Ack(id(w[1], "p")), out);
            }
            case "gone" -> {
                gone.add(w[1]);
                step(new LockEvent.HolderGone(w[1]), out);
            }
            case "tick" -> step(new LockEvent.Tick(table.now() + duration(w[1])), out);
            case "grace" -> step(new LockEvent.Grace(table.now() + duration(w[1])), out);
            case "stabilize" -> {
                List<Long> acks = outstanding.values().stream()
                        .filter(r -> !gone.contains(r.holder())).map(LockReady.Recall::pushId).toList();
                while (!acks.isEmpty()) {
                    for (long p : acks) {
                        out.add("> ack p" + p);
                        outstanding.remove(p);
                        step(new LockEvent.Ack(p), out);
                    }
                    acks = outstanding.values().stream()
                            .filter(r -> !gone.contains(r.holder())).map(LockReady.Recall::pushId).toList();
                }
            }
            case "state" -> state(out);
            default -> throw new IllegalArgumentException("unknown command: " + command);
        }
        return out.isEmpty() ? "ok" : String.join("\n", out);
    }

    private void step(LockEvent e, List<String> out) {
        table.step(e);
        LockTableInvariants.check(table);
        LockReady rd = table.ready();
        for (LockReady.Grant g : rd.grants()) {
            out.add("grant r" + g.requestId() + " to " + g.holder() + ": l" + g.leaseId() + " " + g.path() + " "
                    + mode(g.mode()) + " " + scope(g.scope()) + " until " + time(g.expiresAtNanos()));
        }
        for (LockReady.Recall r : rd.recalls()) {
            outstanding.put(r.pushId(), r);
            out.add("recall p" + r.pushId() + " to " + r.holder() + ": l" + r.leaseId() + " " + r.path() + " "
                    + kind(r.kind()));
        }
        for (LockReady.Refusal r : rd.refusals()) {
            out.add("refuse r" + r.requestId() + " to " + r.holder() + ": " + r.path() + " "
                    + r.reason().name().toLowerCase().replace('_', '-'));
        }
        table.advance();
    }

    private void state(List<String> out) {
        out.add("now " + time(table.now()));
        for (Lease l : table.leases()) {
            out.add("lease l" + l.leaseId() + " " + l.holder() + " " + l.path() + " " + mode(l.mode()) + " "
                    + scope(l.scope()) + " until " + time(l.expiresAtNanos())
                    + l.recalled().map(k -> " (recalled " + kind(k) + ")").orElse(""));
        }
        for (LockRequest q : table.queue()) {
            out.add("queued r" + q.requestId() + " " + q.holder() + " " + q.path() + " " + mode(q.mode()) + " " + scope(q.scope()));
        }
    }

    static long duration(String s) {
        if (s.endsWith("ms")) {
            return Long.parseLong(s.substring(0, s.length() - 2)) * 1_000_000L;
        }
        if (s.endsWith("s")) {
            return Long.parseLong(s.substring(0, s.length() - 1)) * 1_000_000_000L;
        }
        throw new IllegalArgumentException("duration needs ms or s: " + s);
    }

    static String time(long nanos) {
        long ms = nanos / 1_000_000L;
        return ms % 1000 == 0 ? (ms / 1000) + "s" : String.format("%d.%03ds", ms / 1000, ms % 1000);
    }

    private static long id(String s, String prefix) {
        if (!s.startsWith(prefix)) {
            throw new IllegalArgumentException("expected " + prefix + "N: " + s);
        }
        return Long.parseLong(s.substring(prefix.length()));
    }

    private static LockMode mode(String s) {
        return switch (s) {
            case "S" -> LockMode.SHARED;
            case "I" -> LockMode.INTENT;
            case "X" -> LockMode.EXCLUSIVE;
            default -> throw new IllegalArgumentException("mode is S, I or X: " + s);
        };
    }

    private static String mode(LockMode m) {
        return switch (m) {
            case SHARED -> "S";
            case INTENT -> "I";
            case EXCLUSIVE -> "X";
        };
    }

    private static LockScope scope(String s) {
        return LockScope.valueOf(s.toUpperCase());
    }

    private static String scope(LockScope s) {
        return s.name().toLowerCase();
    }

    private static String kind(RecallKind k) {
        return switch (k) {
            case TO_SHARED -> "to-shared";
            case TO_NOTHING -> "to-nothing";
        };
    }
}
