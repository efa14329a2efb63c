package org.pohmelfs.gateway.http;

import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.LongSupplier;

/**
 * HTTP dates (RFC 9110 section 5.6.7, IMF-fixdate) as header text, formatted once per second
 * instead of once per response: the {@code Date} of now, and any other second (a file's
 * {@code Last-Modified}) through a small direct-mapped table. The text is exactly what
 * {@link org.springframework.http.HttpHeaders#setDate(long)} and
 * {@link org.springframework.http.HttpHeaders#setLastModified(Instant)} write.
 *
 * <p>How it works: a second maps to one of {@value #SLOTS} slots (its value modulo the size);
 * a slot holds the last second formatted there with its text, as one immutable record, so a
 * reader sees either a whole old entry (and formats anew) or a whole new one. No locks; a race
 * only formats the same text twice.
 */
public final class HttpDates {
    /** The same pattern, locale and zone as Spring's {@code HttpHeaders} date headers. */
    private static final DateTimeFormatter FORMAT = DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss zzz",
            Locale.US).withZone(ZoneId.of("GMT"));
    private static final int SLOTS = 1024;

    private record Formatted(long second, String text) {
    }

    private final AtomicReferenceArray<Formatted> table = new AtomicReferenceArray<>(SLOTS);
    private final LongSupplier clockMillis;
    private volatile Formatted now;

    /** @param clockMillis the current time in milliseconds since the epoch (tests pass their own) */
    public HttpDates(LongSupplier clockMillis) {
        this.clockMillis = clockMillis;
    }

    /** On the system clock. */
    public static HttpDates system() {
        return new HttpDates(System::currentTimeMillis);
    }

    /** The {@code Date} header's text for the current second. */
    public String now() {
        long second = Math.floorDiv(clockMillis.getAsLong(), 1000L);
        Formatted f = now;
        if (f == null || f.second() != second) {
            f = new Formatted(second, format(second));
            now = f;
        }
        return f.text();
    }

    /** The text of {@code epochSecond} as an HTTP date. */
    public String of(long epochSecond) {
        int slot = (int) Math.floorMod(epochSecond, (long) SLOTS);
        Formatted f = table.get(slot);
        if (f == null || f.second() != epochSecond) {
            f = new Formatted(epochSecond, format(epochSecond));
            table.set(slot, f);
        }
        return f.text();
    }

    private static String format(long epochSecond) {
        return FORMAT.format(Instant.ofEpochSecond(epochSecond));
    }
}
