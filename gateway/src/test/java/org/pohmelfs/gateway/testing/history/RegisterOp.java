package org.pohmelfs.gateway.testing.history;

/**
 * One operation on one register (one object), as a client saw it: what it asked, what it got,
 * and when it asked ({@code invoked}) and got the answer ({@code completed}), on one clock.
 * An operation whose outcome is unknown (an error or a timeout) is {@link #maybe()}: it may
 * have taken effect at any time after its invocation, or never. Values are strings; absent
 * (no object) is {@code null}.
 *
 * @param id        unique within its history, for explanations
 * @param process   the client that ran it
 * @param action    what was done and, for a completed operation, what came back
 * @param invoked   when the request was sent
 * @param completed when the answer came; {@link Long#MAX_VALUE} for an operation that may or
 *                  may not have taken effect
 */
public record RegisterOp(int id, int process, Action action, long invoked, long completed) {
    public static final long UNKNOWN = Long.MAX_VALUE;

    public RegisterOp {
        if (completed < invoked) {
            throw new IllegalArgumentException("op " + id + " completed before it was invoked");
        }
        if (completed == UNKNOWN && action instanceof Action.Read) {
            throw new IllegalArgumentException("a read without an answer tells nothing: leave it out");
        }
    }

    /** Whether the outcome is unknown (may have taken effect, or not). */
    public boolean maybe() {
        return completed == UNKNOWN;
    }

    /** What an operation does to the register. Exhaustive: the checker's model switches over it. */
    public sealed interface Action {
        /** Sets the value (a PUT). */
        record Write(String value) implements Action {
            public Write {
                java.util.Objects.requireNonNull(value);
            }
        }

        /** Returned {@code value}, or {@code null}: the object did not exist (a 404). */
        record Read(String value) implements Action {
        }

        /**
         * Removes the object; {@code existed}: the answer said it was there (a 2xx) or was not
         * (a 404). For an operation of unknown outcome, {@code existed} is ignored.
         */
        record Delete(boolean existed) implements Action {
        }
    }

    @Override
    public String toString() {
        String what = switch (action) {
            case Action.Write w -> "write(" + w.value() + ")";
            case Action.Read r -> "read->" + (r.value() == null ? "absent" : r.value());
            case Action.Delete d -> maybe() ? "delete" : d.existed() ? "delete->deleted" : "delete->absent";
        };
        return "#" + id + " p" + process + " " + what + " [" + invoked + ", " + (maybe() ? "?" : completed) + "]"
                + (maybe() ? " (outcome unknown)" : "");
    }
}
