package org.pohmelfs.gateway.webdav.resource;

import static org.assertj.core.api.Assertions.assertThat;

import io.milton.http.XmlWriter;
import io.milton.http.values.ModifiedDateValueWriter;
import io.milton.http.values.ToStringValueWriter;
import io.milton.http.values.ValueWriter;
import io.milton.http.values.ValueWriters;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.Date;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The cheaper value writers write exactly what Milton's write. */
class FastValueWritersTest {
    static String write(ValueWriter w, String localName, Object value) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        XmlWriter writer = new XmlWriter(bytes);
        w.writeValue(writer, "DAV:", "D", localName, value, "/dav/x", Map.of("DAV:", "D"));
        writer.flush();
        return bytes.toString(StandardCharsets.UTF_8);
    }

    @Test
    void lastModifiedIsWrittenAsMiltonWritesIt() {
        for (Date d : Arrays.asList(new Date(0), Date.from(Instant.parse("2026-11-01T09:05:03.999Z")),
                Date.from(Instant.parse("1999-12-31T23:59:59Z")), Date.from(Instant.parse("2038-01-19T03:14:08Z")),
                null)) {
            assertThat(write(new FastValueWriters.LastModified(), "getlastmodified", d))
                    .isEqualTo(write(new ModifiedDateValueWriter(), "getlastmodified", d));
        }
        assertThat(write(new FastValueWriters.LastModified(), "getlastmodified",
                Date.from(Instant.parse("2026-11-01T09:05:03Z")))).contains("Sun, 01 Nov 2026 09:05:03 GMT");
    }

    @Test
    void textIsEscapedAsMiltonEscapesIt() {
        for (Object v : Arrays.asList("plain", "\"f2a\"", "a&b<c>d", "&&<<>>", "<", "", "naïve – ünïcode & 'quotes'",
                4096L, Boolean.TRUE, null)) {
            assertThat(write(new FastValueWriters.Text(), "getcontenttype", v))
                    .as("%s", v).isEqualTo(write(new ToStringValueWriter(), "getcontenttype", v));
        }
        assertThat(write(new FastValueWriters.Text(), "displayname", "a&b")).contains("a&amp;b");
    }

    @Test
    void theTwoAreReplacedInPlace() {
        List<ValueWriter> milton = new ValueWriters().getValueWriters();
        List<ValueWriter> ours = FastValueWriters.replaceIn(milton);
        assertThat(ours).hasSameSizeAs(milton);
        for (int i = 0; i < milton.size(); i++) {
            if (milton.get(i) instanceof ModifiedDateValueWriter) {
                assertThat(ours.get(i)).isInstanceOf(FastValueWriters.LastModified.class);
            } else if (milton.get(i).getClass() == ToStringValueWriter.class) {
                assertThat(ours.get(i)).isInstanceOf(FastValueWriters.Text.class);
            } else {
                assertThat(ours.get(i)).isSameAs(milton.get(i));
            }
        }
        assertThat(ours).hasAtLeastOneElementOfType(FastValueWriters.LastModified.class)
                .hasAtLeastOneElementOfType(FastValueWriters.Text.class);
    }
}
