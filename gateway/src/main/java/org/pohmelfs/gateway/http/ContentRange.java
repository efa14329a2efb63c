package org.pohmelfs.gateway.http;

import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.springframework.http.HttpStatus;

/**
 * A request's {@code Content-Range: bytes first-last/complete} (RFC 9110 section 14.4), as a
 * partial write (PATCH) takes it: which bytes the body replaces, and optionally the size the
 * file has afterwards ({@code *}: unchanged unless the range extends it). Pure.
 *
 * @param first        offset of the first byte written
 * @param last         offset of the last byte written (inclusive)
 * @param completeSize the file's size afterwards, or -1 for {@code *}
 */
public record ContentRange(long first, long last, long completeSize) {
    private static final Pattern SYNTAX = Pattern.compile("bytes ([0-9]{1,18})-([0-9]{1,18})/(\\*|[0-9]{1,18})");

    /** How many bytes the body must hold. */
    public long length() {
        return last - first + 1;
    }

    /**
     * Parses the header value: 400 (BAD_CONTENT_RANGE) when missing or malformed, 416
     * (RANGE_NOT_SATISFIABLE) when first > last or the complete size does not hold the range.
     */
    public static ContentRange parse(String header) {
        if (header == null) {
            throw new HttpProblem(HttpStatus.BAD_REQUEST, "BAD_CONTENT_RANGE",
                    "a partial write needs Content-Range: bytes first-last/* (or /size)");
        }
        Matcher m = SYNTAX.matcher(header.strip());
        if (!m.matches()) {
            throw new HttpProblem(HttpStatus.BAD_REQUEST, "BAD_CONTENT_RANGE",
                    "malformed Content-Range '" + header + "'; expected bytes first-last/* or bytes first-last/size");
        }
        long first = Long.parseLong(m.group(1));
        long last = Long.parseLong(m.group(2));
        long complete = m.group(3).equals("*") ? -1 : Long.parseLong(m.group(3));
        if (first > last || (complete >= 0 && complete <= last)) {
            throw new HttpProblem(HttpStatus.REQUESTED_RANGE_NOT_SATISFIABLE, "RANGE_NOT_SATISFIABLE",
                    "Content-Range '" + header + "' is not a range of the size it names");
        }
        return new ContentRange(first, last, complete);
    }
}
