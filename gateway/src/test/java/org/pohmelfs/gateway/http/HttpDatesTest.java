package org.pohmelfs.gateway.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpHeaders;

/** {@link HttpDates} writes what Spring's {@link HttpHeaders} writes, whatever its table held before. */
class HttpDatesTest {
    private static String spring(long epochSecond) {
        HttpHeaders h = new HttpHeaders();
        h.setLastModified(Instant.ofEpochSecond(epochSecond));
        return h.getFirst(HttpHeaders.LAST_MODIFIED);
    }

    private final HttpDates dates = new HttpDates(() -> 0);

    @Property
    void anySecondIsFormattedAsHttpHeadersFormatsIt(@ForAll @LongRange(min = -2_000_000_000L, max = 40_000_000_000L)
                                                    long second) {
        assertThat(dates.of(second)).isEqualTo(spring(second));
        assertThat(dates.of(second)).as("again, from the table").isEqualTo(spring(second));
    }

    @Test
    void secondsThatShareASlotReplaceEachOther() {
        long t = 1_583_229_600L; // Tue, 03 Mar 2020 10:00:00 GMT
        for (long s : new long[] {t, t + 1024, t, t + 1024 * 1000, t + 1, t}) {
            assertThat(dates.of(s)).as("second %d", s).isEqualTo(spring(s));
        }
        assertThat(dates.of(t)).isEqualTo("Tue, 03 Mar 2020 10:00:00 GMT");
        assertThat(dates.of(t + 1024)).isEqualTo("Tue, 03 Mar 2020 10:17:04 GMT");
    }

    @Test
    void nowFollowsTheClockSecondBySecond() {
        AtomicLong millis = new AtomicLong(1_583_229_600_999L);
        HttpDates clocked = new HttpDates(millis::get);
        HttpHeaders h = new HttpHeaders();
        for (long m : new long[] {1_583_229_600_999L, 1_583_229_601_000L, 1_583_229_601_500L, 1_583_229_600_000L,
                1_700_000_000_123L}) {
            millis.set(m);
            h.setDate(m);
            assertThat(clocked.now()).as("at %d ms", m).isEqualTo(h.getFirst(HttpHeaders.DATE));
        }
    }
}
