package org.pohmelfs.gateway.coherence;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.pohmelfs.protocol.DirEntry;
import org.pohmelfs.protocol.Result;

/** Cuts a page out of a complete listing the way the node would (names in UTF-8 byte order). */
public final class ListingPages {
    private ListingPages() {
    }

    /** The entries after {@code startAfter} ("" for the first page), at most {@code limit} of them. */
    public static Result.Listing page(Result.Listing complete, String startAfter, int limit) {
        List<DirEntry> all = complete.entries();
        int from = 0;
        if (!startAfter.isEmpty()) {
            byte[] after = startAfter.getBytes(StandardCharsets.UTF_8);
            int lo = 0;
            int hi = all.size();
            while (lo < hi) { // first entry > startAfter; the listing is sorted
                int mid = (lo + hi) >>> 1;
                if (Arrays.compareUnsigned(all.get(mid).name().getBytes(StandardCharsets.UTF_8), after) <= 0) {
                    lo = mid + 1;
                } else {
                    hi = mid;
                }
            }
            from = lo;
        }
        int to = (int) Math.min(all.size(), (long) from + Math.max(0, limit));
        return new Result.Listing(complete.directory(), List.copyOf(all.subList(from, to)), to < all.size());
    }
}
