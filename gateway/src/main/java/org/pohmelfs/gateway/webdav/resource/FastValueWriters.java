package org.pohmelfs.gateway.webdav.resource;

import io.milton.http.XmlWriter;
import io.milton.http.values.ModifiedDateValueWriter;
import io.milton.http.values.ToStringValueWriter;
import io.milton.http.values.ValueWriter;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Two of Milton's PROPFIND value writers, rewritten to write the same text cheaper: Milton's
 * {@code getlastmodified} writer builds a {@code SimpleDateFormat} per value, and its catch-all
 * {@code toString} writer escapes with three {@code String.replaceAll} (three regex compilations)
 * per value. Together about 12 % of the gateway's CPU under a PROPFIND Depth 1 load.
 * {@code FastValueWritersTest} checks the output against Milton's writers.
 */
public final class FastValueWriters {
    private FastValueWriters() {
    }

    /** Milton's writers with the two replaced in place (a writer's position decides what it serves). */
    public static List<ValueWriter> replaceIn(List<ValueWriter> writers) {
        List<ValueWriter> out = new ArrayList<>(writers.size());
        for (ValueWriter w : writers) {
            if (w.getClass() == ModifiedDateValueWriter.class) {
                out.add(new LastModified());
            } else if (w.getClass() == ToStringValueWriter.class) {
                out.add(new Text());
            } else {
                out.add(w);
            }
        }
        return out;
    }

    /** DAV:getlastmodified as RFC 1123 in GMT, two-digit day, as Milton's DateUtils writes it. */
    static final class LastModified extends ModifiedDateValueWriter {
        private static final DateTimeFormatter RFC1123 =
                DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.US).withZone(ZoneOffset.UTC);

        @Override
        public void writeValue(XmlWriter writer, String nsUri, String prefix, String localName, Object val,
                               String href, Map<String, String> nsPrefixes) {
            Date date = (Date) val;
            writer.writeProperty(prefix, localName, date == null ? "" : RFC1123.format(date.toInstant()));
        }
    }

    /** Any other value as its toString with &amp;, &lt; and &gt; escaped (quotes are not: getetag has them). */
    static final class Text extends ToStringValueWriter {
        @Override
        public void writeValue(XmlWriter writer, String nsUri, String prefix, String localName, Object val,
                               String href, Map<String, String> nsPrefixes) {
            if (val == null) {
                writer.writeProperty(prefix, localName);
            } else {
                writer.writeProperty(prefix, localName, escape(val.toString()));
            }
        }

        static String escape(String s) {
            int i = 0;
            while (i < s.length() && s.charAt(i) != '&' && s.charAt(i) != '<' && s.charAt(i) != '>') {
                i++;
            }
            if (i == s.length()) {
                return s;
            }
            StringBuilder b = new StringBuilder(s.length() + 16).append(s, 0, i);
            for (; i < s.length(); i++) {
                char c = s.charAt(i);
                switch (c) {
                    case '&' -> b.append("&amp;");
                    case '<' -> b.append("&lt;");
                    case '>' -> b.append("&gt;");
                    default -> b.append(c);
                }
            }
            return b.toString();
        }
    }
}
