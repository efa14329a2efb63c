package org.pohmelfs.coherence;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every (state, event) cell of the gateway table in design.md §3.2, with the IX and F variants
 * spelled out. Each start state is reached from I by real events at time 0 with L = 10 s,
 * ρ = 1 %, δ = 500 ms: the deadline is 9.4 s and the renewal point 6.067 s. The events are
 * applied at 1 s, except TICK at 7 s (past the renewal point, and 7 s after the first write,
 * which is past L/2). Pushes received while reaching a state have id 1; the cell's own is 7.
 */
class CacheEntryTableTest {
    static final long S = 1_000_000_000L;
    static final long L = 10 * S;

    // from | event | to | actions
    private static final String TABLE = """
            I     | R   | IS    | ACQUIRE_S
            I     | W   | IX    | ACQUIRE_X
            I     | GS  | I     | RELEASE
            I     | GX  | I     | RELEASE
            I     | RS  | I     | ACK(7)
            I     | RX  | I     | ACK(7)
            I     | TICK| I     | -
            I     | EXP | I     | -
            I     | FD  | I     | -
            I     | FF  | I     | -
            I     | EV  | I     | -
            I     | RN  | I     | -
            IS    | R   | IS    | -
            IS    | W   | IS    | -
            IS    | GS  | S     | SERVE
            IS    | GX  | E     | SERVE
            IS    | RS  | IS    | -
            IS    | RX  | IS    | -
            IS    | TICK| IS    | -
            IS    | EXP | I     | FAIL
            IS    | FD  | IS    | -
            IS    | FF  | IS    | -
            IS    | EV  | IS    | -
            IS    | RN  | IS    | -
            IX    | R   | IX    | -
            IX    | W   | IX    | -
            IX    | GS  | IX(S) | ACQUIRE_X
            IX    | GX  | M     | RUN
            IX    | RS  | IX    | -
            IX    | RX  | IX    | -
            IX    | TICK| IX    | -
            IX    | EXP | I     | FAIL
            IX    | FD  | IX    | -
            IX    | FF  | IX    | -
            IX    | EV  | IX    | -
            IX    | RN  | IX    | -
            IX(S) | R   | IX(S) | -
            IX(S) | W   | IX(S) | -
            IX(S) | GS  | IX(S) | ACQUIRE_X
            IX(S) | GX  | M     | RUN
            IX(S) | RS  | IX(S) | ACK(7)
            IX(S) | RX  | IX    | ACK(7) DROP
            IX(S) | TICK| IX(S) | -
            IX(S) | EXP | I     | FAIL DROP
            IX(S) | FD  | IX(S) | -
            IX(S) | FF  | IX(S) | -
            IX(S) | EV  | IX(S) | -
            IX(S) | RN  | IX(S) | -
            S     | R   | S     | SERVE
            S     | W   | IX(S) | ACQUIRE_X
            S     | GS  | S     | -
            S     | GX  | S     | -
            S     | RS  | S     | ACK(7)
            S     | RX  | I     | ACK(7) DROP
            S     | TICK| S     | RENEW
            S     | EXP | I     | DROP
            S     | FD  | S     | -
            S     | FF  | S     | -
            S     | EV  | I     | RELEASE DROP
            S     | RN  | S     | -
            E     | R   | E     | SERVE
            E     | W   | M     | RUN
            E     | GS  | E     | -
            E     | GX  | E     | -
            E     | RS  | S     | DOWNGRADE ACK(7)
            E     | RX  | I     | RELEASE ACK(7) DROP
            E     | TICK| E     | RENEW
            E     | EXP | I     | DROP
            E     | FD  | E     | -
            E     | FF  | E     | -
            E     | EV  | I     | RELEASE DROP
            E     | RN  | E     | -
            M     | R   | M     | SERVE
            M     | W   | M     | RUN
            M     | GS  | M     | -
            M     | GX  | M     | -
            M     | RS  | F(S)  | FLUSH
            M     | RX  | F(I)  | FLUSH
            M     | TICK| F(E)  | RENEW FLUSH
            M     | EXP | I     | FAIL DROP
            M     | FD  | M     | -
            M     | FF  | M     | -
            M     | EV  | F(I)  | FLUSH
            M     | RN  | M     | -
            F(E)  | R   | F(E)  | SERVE
            F(E)  | W   | F(E)  | -
            F(E)  | GS  | F(E)  | -
            F(E)  | GX  | F(E)  | -
            F(E)  | RS  | F(S)  | -
            F(E)  | RX  | F(I)  | -
            F(E)  | TICK| F(E)  | RENEW
            F(E)  | EXP | I     | FAIL DROP
            F(E)  | FD  | E     | -
            F(E)  | FF  | I     | RELEASE FAIL DROP
            F(E)  | EV  | F(E)  | -
            F(E)  | RN  | F(E)  | -
            F(S)  | R   | F(S)  | SERVE
            F(S)  | W   | F(S)  | -
            F(S)  | GS  | F(S)  | -
            F(S)  | GX  | F(S)  | -
            F(S)  | RS  | F(S)  | -
            F(S)  | RX  | F(I)  | -
            F(S)  | TICK| F(S)  | RENEW
            F(S)  | EXP | I     | ACK(1) FAIL DROP
            F(S)  | FD  | S     | DOWNGRADE ACK(1)
            F(S)  | FF  | I     | RELEASE ACK(1) FAIL DROP
            F(S)  | EV  | F(S)  | -
            F(S)  | RN  | F(S)  | -
            F(I)  | R   | F(I)  | SERVE
            F(I)  | W   | F(I)  | -
            F(I)  | GS  | F(I)  | -
            F(I)  | GX  | F(I)  | -
            F(I)  | RS  | F(I)  | -
            F(I)  | RX  | F(I)  | -
            F(I)  | TICK| F(I)  | RENEW
            F(I)  | EXP | I     | ACK(1) FAIL DROP
            F(I)  | FD  | I     | RELEASE ACK(1) DROP
            F(I)  | FF  | I     | RELEASE ACK(1) FAIL DROP
            F(I)  | EV  | F(I)  | -
            F(I)  | RN  | F(I)  | -
            """;

    static final String[] STATES = {"I", "IS", "IX", "IX(S)", "S", "E", "M", "F(E)", "F(S)", "F(I)"};
    static final String[] EVENTS = {"R", "W", "GS", "GX", "RS", "RX", "TICK", "EXP", "FD", "FF", "EV", "RN"};

    static Stream<Arguments> cells() {
        return TABLE.lines().map(l -> Arrays.stream(l.split("\\|")).map(String::strip).toArray(String[]::new))
                .map(c -> Arguments.of(c[0], c[1], c[2], c[3]));
    }

    @Test
    void theTableHasEveryCellOnce() {
        assertThat(cells().map(a -> a.get()[0] + " " + a.get()[1]))
                .doesNotHaveDuplicates()
                .hasSize(STATES.length * EVENTS.length)
                .allMatch(k -> Arrays.asList(STATES).contains(k.split(" ")[0]) && Arrays.asList(EVENTS).contains(k.split(" ")[1]));
    }

    @ParameterizedTest(name = "{0} --{1}--> {2}: {3}")
    @MethodSource("cells")
    void cell(String from, String event, String to, String actions) {
        CacheEntryState entry = reach(from);
        CacheActions out = entry.step(event(event));
        assertThat(label(entry) + " | " + out).isEqualTo(to + " | " + actions);
    }

    /** Drives a fresh entry to the named state. */
    static CacheEntryState reach(String label) {
        CacheEntryState e = CacheEntryState.create(LeaseClock.DEFAULT);
        switch (label) {
            case "I" -> {
            }
            case "IS" -> e.step(new CacheEvent.Read(0));
            case "IX" -> e.step(new CacheEvent.Write(0));
            case "IX(S)" -> {
                e.step(new CacheEvent.Read(0));
                e.step(new CacheEvent.GrantShared(0, L, 0));
                e.step(new CacheEvent.Write(0));
            }
            case "S" -> {
                e.step(new CacheEvent.Read(0));
                e.step(new CacheEvent.GrantShared(0, L, 0));
            }
            case "E" -> {
                e.step(new CacheEvent.Read(0));
                e.step(new CacheEvent.GrantExclusive(0, L, 0));
            }
            case "M" -> {
                e.step(new CacheEvent.Write(0));
                e.step(new CacheEvent.GrantExclusive(0, L, 0));
            }
            case "F(E)" -> {
                e = reach("M");
                e.step(new CacheEvent.Tick(5 * S));
            }
            case "F(S)" -> {
                e = reach("M");
                e.step(new CacheEvent.RecallShared(1));
            }
            case "F(I)" -> {
                e = reach("M");
                e.step(new CacheEvent.RecallExclusive(1));
            }
            default -> throw new IllegalArgumentException(label);
        }
        assertThat(label(e)).as("reached").isEqualTo(label);
        return e;
    }

    static CacheEvent event(String name) {
        return switch (name) {
            case "R" -> new CacheEvent.Read(S);
            case "W" -> new CacheEvent.Write(S);
            case "GS" -> new CacheEvent.GrantShared(0, L, S);
            case "GX" -> new CacheEvent.GrantExclusive(0, L, S);
            case "RS" -> new CacheEvent.RecallShared(7);
            case "RX" -> new CacheEvent.RecallExclusive(7);
            case "TICK" -> new CacheEvent.Tick(7 * S);
            case "EXP" -> new CacheEvent.Expire();
            case "FD" -> new CacheEvent.FlushDone();
            case "FF" -> new CacheEvent.FlushFailed();
            case "EV" -> new CacheEvent.Evict();
            case "RN" -> new CacheEvent.Renewed(S, L);
            default -> throw new IllegalArgumentException(name);
        };
    }

    static String label(CacheEntryState e) {
        return switch (e.state()) {
            case F -> "F(" + e.flushTarget() + ")";
            case IX -> e.holdsShared() ? "IX(S)" : "IX";
            case I, IS, S, E, M -> e.state().name();
        };
    }
}
