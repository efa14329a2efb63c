package org.pohmelfs.coherence;

import org.pohmelfs.protocol.ObjectPath;

/**
 * What a lease on a path covers (design.md §3.1). Declared narrowest first.
 *
 * <p>Two leases <em>overlap</em> when they are on the same path, or when one has
 * {@link #SUBTREE} scope and the other lies at or below it. A directory lease with
 * {@link #OBJECT} scope covers the directory's listing only, so it does not overlap leases on
 * its children.
 */
public enum LockScope {
    /** The object itself: a file's content and attributes, or a directory's listing. */
    OBJECT,
    /** The object and everything below it: taken by a recursive DELETE, COPY or RENAME. */
    SUBTREE;

    /** The wider of the two. */
    public LockScope max(LockScope other) {
        return compareTo(other) >= 0 ? this : other;
    }

    /** Whether a lease on {@code a} with scope {@code sa} overlaps one on {@code b} with scope {@code sb}. */
    public static boolean overlap(ObjectPath a, LockScope sa, ObjectPath b, LockScope sb) {
        return a.equals(b) || (sa == SUBTREE && b.startsWith(a)) || (sb == SUBTREE && a.startsWith(b));
    }
}
