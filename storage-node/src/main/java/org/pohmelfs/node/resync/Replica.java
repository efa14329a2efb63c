package org.pohmelfs.node.resync;

import java.io.IOException;
import java.util.List;
import org.pohmelfs.protocol.Attr;
import org.pohmelfs.protocol.DirEntry;

/** What a resync pass reads of one replica's tree: the source peer's or the local export. */
public interface Replica {

    /** The attributes of {@code path}, or null when nothing is there. */
    Attr stat(String path) throws IOException;

    /** Every entry of the directory {@code path}, sorted by name; empty when it is missing or a file. */
    List<DirEntry> list(String path) throws IOException;
}
