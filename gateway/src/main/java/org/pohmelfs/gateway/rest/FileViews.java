package org.pohmelfs.gateway.rest;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import org.pohmelfs.protocol.Attr;
import org.pohmelfs.protocol.DirEntry;
import org.pohmelfs.protocol.NodeInfo;
import org.pohmelfs.protocol.Xattr;

/** The JSON shapes of the REST API. */
final class FileViews {
    private FileViews() {
    }

    /** One object's metadata. */
    record Entry(String name, String type, long size, Instant modified, int mode, String etag) {
        static Entry of(String name, Attr a) {
            return new Entry(name, a.isDirectory() ? "directory" : "file", a.size(),
                    Instant.ofEpochSecond(0, a.mtimeNanos()), a.mode(), a.etag());
        }
    }

    /** A page of a directory listing; {@code next} is the cursor for the following page. */
    record Listing(String path, String etag, List<Entry> entries, String next) {
        static Listing of(String path, Attr dir, List<DirEntry> entries, boolean more) {
            List<Entry> views = entries.stream().map(e -> Entry.of(e.name(), e.attr())).toList();
            String next = more && !entries.isEmpty() ? entries.getLast().name() : null;
            return new Listing(path, dir.etag(), views, next);
        }
    }

    /** One extended attribute: UTF-8 text where the value is text, else base64. */
    record Attribute(String name, String value, String encoding) {
        static Attribute of(Xattr x) {
            ByteBuffer v = x.value().duplicate();
            try {
                String text = StandardCharsets.UTF_8.newDecoder()
                        .onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT)
                        .decode(v).toString();
                return new Attribute(x.name(), text, "utf-8");
            } catch (CharacterCodingException e) {
                byte[] bytes = new byte[x.value().remaining()];
                x.value().duplicate().get(bytes);
                return new Attribute(x.name(), Base64.getEncoder().encodeToString(bytes), "base64");
            }
        }
    }

    record Metadata(String path, Entry entry, List<Attribute> attributes) {
    }

    record Usage(long capacityBytes, long usedBytes, long availableBytes, long objects, long sizeLimitBytes,
                 boolean readOnly) {
        static Usage of(NodeInfo i) {
            return new Usage(i.capacityBytes(), i.usedBytes(), i.availableBytes(), i.objectCount(), i.sizeLimitBytes(),
                    i.readOnly());
        }
    }
}
