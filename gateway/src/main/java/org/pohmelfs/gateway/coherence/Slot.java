package org.pohmelfs.gateway.coherence;

import java.util.List;
import java.util.Optional;
import java.util.function.ToLongFunction;
import org.pohmelfs.protocol.Attr;
import org.pohmelfs.protocol.DirEntry;
import org.pohmelfs.protocol.Result;
import org.pohmelfs.protocol.Xattr;

/**
 * One kind of metadata a {@link CachedPath} can hold, with its type and an estimate of the
 * memory a value takes (for the cache's weight bound).
 *
 * @param <T> the type of the value
 */
public final class Slot<T> {
    /** Attributes, or empty: the object does not exist (a negative entry). */
    public static final Slot<Optional<Attr>> ATTR = new Slot<>("attr", a -> 64);
    /**
     * A directory's complete listing (the directory's attributes and every entry, in the node's
     * order), or empty: too large to keep, ask the node page by page.
     */
    public static final Slot<Optional<Result.Listing>> LISTING = new Slot<>("listing",
            l -> l.map(x -> 96L + x.entries().stream().mapToLong(Slot::weigh).sum()).orElse(16L));
    /** Extended attributes. */
    public static final Slot<List<Xattr>> XATTRS = new Slot<>("xattrs",
            l -> 32L + l.stream().mapToLong(x -> 48L + 2L * x.name().length() + x.value().remaining()).sum());

    static final List<Slot<?>> ALL = List.of(ATTR, LISTING, XATTRS);

    private final String name;
    private final ToLongFunction<T> weigher;

    private Slot(String name, ToLongFunction<T> weigher) {
        this.name = name;
        this.weigher = weigher;
    }

    /** The metric tag of this kind: attr, listing, xattrs. */
    public String kind() {
        return name;
    }

    long weigh(Object value) {
        @SuppressWarnings("unchecked") T v = (T) value;
        return weigher.applyAsLong(v);
    }

    private static long weigh(DirEntry e) {
        return 112L + 2L * e.name().length();
    }

    @Override
    public String toString() {
        return name;
    }
}
