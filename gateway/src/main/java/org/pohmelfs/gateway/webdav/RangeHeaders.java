package org.pohmelfs.gateway.webdav;

/** Reads back the Content-Range Milton wrote, to keep Content-Length consistent with it. */
final class RangeHeaders {
    private RangeHeaders() {
    }

    /** The length of "bytes START-END/TOTAL", or {@code fallback} if it does not parse. */
    static long length(String contentRange, long fallback) {
        try {
            String spec = contentRange.trim();
            int space = spec.indexOf(' ');
            int dash = spec.indexOf('-', space + 1);
            int slash = spec.indexOf('/', dash + 1);
            long start = Long.parseLong(spec.substring(space + 1, dash).trim());
            long end = Long.parseLong(spec.substring(dash + 1, slash < 0 ? spec.length() : slash).trim());
            return end - start + 1;
        } catch (RuntimeException e) {
            return fallback;
        }
    }
}
