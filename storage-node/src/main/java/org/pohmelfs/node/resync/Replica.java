package org.pohmelfs.node.resync;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Comparator;
import java.util.List;
import org.pohmelfs.protocol.Attr;
import org.pohmelfs.protocol.DirEntry;
import org.pohmelfs.protocol.Xattr;

/** What a resync pass reads of one replica's tree: the source peer's or the local export. */
public interface Replica {

    /** The attributes of {@code path}, or null when nothing is there. */
    Attr stat(String path) throws IOException;

    /** Every entry of the directory {@code path}, sorted by name; empty when it is missing or a file. */
    List<DirEntry> list(String path) throws IOException;

    /**
     * What a verify pass compares of a file beyond its type, size and version (design.md §5): the
     * SHA-256 of all its bytes and its client xattrs, or null when no file is there. Reads every
     * byte of the file.
     */
    Fingerprint fingerprint(String path) throws IOException;

    /**
     * A file's content digest and client xattrs (sorted by name), with the attributes it was
     * summed at. Two fingerprints are equal when digest and xattrs are; the attributes are for
     * the caller to check against what it saw.
     */
    record Fingerprint(Attr attr, ByteBuffer sha256, List<Xattr> xattrs) {
        public Fingerprint {
            sha256 = sha256.asReadOnlyBuffer();
            xattrs = xattrs.stream().sorted(Comparator.comparing(Xattr::name)).toList();
        }

        /** The same bytes and the same client xattrs. */
        public boolean sameContent(Fingerprint other) {
            return sha256.equals(other.sha256) && xattrs.equals(other.xattrs);
        }
    }
}
