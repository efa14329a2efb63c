package org.pohmelfs.gateway.testing.history;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;

/**
 * Records what concurrent clients did to several objects, for a per-object
 * {@link Linearizability} check. Thread-safe; the clock is given (e.g. {@code System::nanoTime}
 * in a real test, a counter in a replay). A client takes {@link #now()} before it sends a
 * request and reports the outcome after the answer: {@link #ok} with what came back, or
 * {@link #unknown} when it cannot know whether a change took effect (an error or a timeout).
 * A read that failed tells nothing and is simply not recorded.
 */
public final class History {
    private final LongSupplier clock;
    private final AtomicInteger ids = new AtomicInteger();
    private final Map<String, List<RegisterOp>> byObject = new LinkedHashMap<>();

    public History(LongSupplier clock) {
        this.clock = clock;
    }

    public long now() {
        return clock.getAsLong();
    }

    /** An operation invoked at {@code invoked} that completed now with the answer in {@code action}. */
    public RegisterOp ok(String object, int process, RegisterOp.Action action, long invoked) {
        return add(object, new RegisterOp(ids.incrementAndGet(), process, action, invoked, now()));
    }

    /** A change invoked at {@code invoked} whose outcome is unknown. */
    public RegisterOp unknown(String object, int process, RegisterOp.Action action, long invoked) {
        return add(object, new RegisterOp(ids.incrementAndGet(), process, action, invoked, RegisterOp.UNKNOWN));
    }

    private synchronized RegisterOp add(String object, RegisterOp op) {
        byObject.computeIfAbsent(object, k -> new ArrayList<>()).add(op);
        return op;
    }

    /** One HTTP request that reads, writes or deletes a register; {@code null} body for GET and DELETE. */
    @FunctionalInterface
    public interface HttpCall {
        java.net.http.HttpResponse<byte[]> send(byte[] body) throws Exception;
    }

    /**
     * Sends a GET, PUT ({@code value}) or DELETE of {@code object} through {@code call} and records
     * it: a success or 404 as completed, any other answer or a failure of a mutation as unknown
     * (it may have taken effect), a failed GET not at all. Returns the HTTP status, or the
     * exception's simple name when there was no answer.
     */
    public String recordHttp(String object, int process, String method, String value, HttpCall call) {
        long invoked = now();
        RegisterOp.Action asked = switch (method) {
            case "PUT" -> new RegisterOp.Action.Write(value);
            case "DELETE" -> new RegisterOp.Action.Delete(true);
            default -> new RegisterOp.Action.Read(null);
        };
        java.net.http.HttpResponse<byte[]> r;
        try {
            r = call.send(method.equals("PUT") ? value.getBytes(java.nio.charset.StandardCharsets.UTF_8) : null);
        } catch (Exception e) {
            if (!method.equals("GET")) {
                unknown(object, process, asked, invoked);
            }
            return e.getClass().getSimpleName();
        }
        int status = r.statusCode();
        switch (method) {
            case "GET" -> {
                if (status == 200) {
                    ok(object, process, new RegisterOp.Action.Read(
                            new String(r.body(), java.nio.charset.StandardCharsets.UTF_8)), invoked);
                } else if (status == 404) {
                    ok(object, process, new RegisterOp.Action.Read(null), invoked);
                }
            }
            case "PUT" -> {
                if (status == 201 || status == 204) {
                    ok(object, process, asked, invoked);
                } else {
                    unknown(object, process, asked, invoked);
                }
            }
            default -> {
                if (status == 204) {
                    ok(object, process, new RegisterOp.Action.Delete(true), invoked);
                } else if (status == 404) {
                    ok(object, process, new RegisterOp.Action.Delete(false), invoked);
                } else {
                    unknown(object, process, asked, invoked);
                }
            }
        }
        return Integer.toString(status);
    }

    public synchronized Map<String, List<RegisterOp>> operations() {
        Map<String, List<RegisterOp>> copy = new LinkedHashMap<>();
        byObject.forEach((k, v) -> copy.put(k, List.copyOf(v)));
        return copy;
    }

    /** Every object's verdict, each starting absent. */
    public Map<String, Linearizability.Result> check() {
        Map<String, Linearizability.Result> out = new LinkedHashMap<>();
        operations().forEach((object, ops) -> out.put(object, Linearizability.check(ops)));
        return out;
    }
}
