package org.pohmelfs.gateway.http;

import java.time.Instant;
import java.util.List;
import org.pohmelfs.protocol.Attr;
import org.springframework.http.HttpHeaders;

/**
 * HTTP conditional requests (RFC 9110 section 13.2.2), evaluated against the current state of
 * the target: {@code null} when it does not exist. Pure, shared by REST and WebDAV.
 */
public final class Preconditions {
    /** What to do with the request. */
    public enum Outcome { PROCEED, NOT_MODIFIED, FAILED }

    private Preconditions() {
    }

    /**
     * @param safe whether the method is GET or HEAD (a failed If-None-Match then means 304)
     */
    public static Outcome evaluate(HttpHeaders headers, Attr current, boolean safe) {
        List<String> ifMatch = headers.getIfMatch();
        if (!ifMatch.isEmpty()) {
            if (!matches(ifMatch, current, false)) {
                return Outcome.FAILED;
            }
        } else {
            long ius = headers.getIfUnmodifiedSince();
            if (ius >= 0 && current != null && lastModifiedSeconds(current) > ius / 1000) {
                return Outcome.FAILED;
            }
        }
        List<String> ifNoneMatch = headers.getIfNoneMatch();
        if (!ifNoneMatch.isEmpty()) {
            if (matches(ifNoneMatch, current, true)) {
                return safe ? Outcome.NOT_MODIFIED : Outcome.FAILED;
            }
        } else if (safe && current != null) {
            long ims = headers.getIfModifiedSince();
            if (ims >= 0 && lastModifiedSeconds(current) <= ims / 1000) {
                return Outcome.NOT_MODIFIED;
            }
        }
        return Outcome.PROCEED;
    }

    /** Whether a Range request should be honoured given its If-Range header. */
    public static boolean ifRangeHolds(HttpHeaders headers, Attr current) {
        String ifRange = headers.getFirst(HttpHeaders.IF_RANGE);
        if (ifRange == null) {
            return true;
        }
        if (ifRange.startsWith("\"") || ifRange.startsWith("W/")) {
            return ifRange.equals(current.etag()); // strong comparison only
        }
        try {
            long date = HttpHeaders.readOnlyHttpHeaders(headers).getFirstDate(HttpHeaders.IF_RANGE);
            return lastModifiedSeconds(current) <= date / 1000;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    public static Instant lastModified(Attr attr) {
        return Instant.ofEpochSecond(lastModifiedSeconds(attr));
    }

    private static long lastModifiedSeconds(Attr attr) {
        return Math.floorDiv(attr.mtimeNanos(), 1_000_000_000L);
    }

    /** Whether any tag matches; weak comparison ignores a W/ prefix, strong comparison refuses it. */
    private static boolean matches(List<String> tags, Attr current, boolean weak) {
        if (current == null) {
            return false;
        }
        for (String tag : tags) {
            if (tag.equals("*") || tag.equals(current.etag()) || (weak && tag.equals("W/" + current.etag()))) {
                return true;
            }
        }
        return false;
    }
}
