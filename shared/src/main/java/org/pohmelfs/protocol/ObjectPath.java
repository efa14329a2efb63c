package org.pohmelfs.protocol;

import java.nio.charset.StandardCharsets;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.List;

/**
 * A validated path inside the export: absolute, '/'-separated, with no empty, "." or ".."
 * components, no NUL or other control characters, names of at most {@link #MAX_NAME} UTF-8
 * bytes and at most {@link #MAX_PATH} bytes in all. Names are kept in Unicode NFC, so a name
 * sent decomposed (as macOS does) and one sent composed name the same object.
 *
 * <p>Gateways and nodes both parse every path with this class; the node additionally confines
 * the resolved file to its export (symlinks included).
 */
public final class ObjectPath implements Comparable<ObjectPath> {
    public static final int MAX_NAME = 255;
    public static final int MAX_PATH = 4096;
    public static final ObjectPath ROOT = new ObjectPath(List.of());

    private final List<String> names;

    private ObjectPath(List<String> names) {
        this.names = names;
    }

    /** Parses and validates; throws {@link InvalidPathException} with the reason. */
    public static ObjectPath parse(String path) {
        if (path == null || path.isEmpty() || path.charAt(0) != '/') {
            throw new InvalidPathException(ErrorCode.INVALID_PATH, "path must start with '/': " + quote(path));
        }
        if (path.getBytes(StandardCharsets.UTF_8).length > MAX_PATH) {
            throw new InvalidPathException(ErrorCode.NAME_TOO_LONG, "path longer than " + MAX_PATH + " bytes");
        }
        List<String> names = new ArrayList<>();
        int i = 1;
        while (i <= path.length()) {
            int slash = path.indexOf('/', i);
            int end = slash < 0 ? path.length() : slash;
            String name = path.substring(i, end);
            if (name.isEmpty()) {
                if (end == path.length()) {
                    break; // one trailing slash is allowed: "/a/b/" names "/a/b"
                }
                throw new InvalidPathException(ErrorCode.INVALID_PATH, "empty path component in " + quote(path));
            }
            names.add(checkName(name));
            i = end + 1;
        }
        return of(names);
    }

    /**
     * The path of already checked names, after checking its length once more: normalising can
     * lengthen a name (U+0958 becomes two characters in NFC), and {@link #child} adds one.
     */
    private static ObjectPath of(List<String> names) {
        int bytes = 0;
        for (String name : names) {
            bytes += 1 + name.getBytes(StandardCharsets.UTF_8).length;
        }
        if (bytes > MAX_PATH) {
            throw new InvalidPathException(ErrorCode.NAME_TOO_LONG, "path longer than " + MAX_PATH + " bytes");
        }
        return new ObjectPath(List.copyOf(names));
    }

    /** Validates one path component and returns it in NFC. */
    public static String checkName(String name) {
        if (name.isEmpty() || name.equals(".") || name.equals("..")) {
            throw new InvalidPathException(ErrorCode.INVALID_PATH, "invalid name " + quote(name));
        }
        for (int k = 0; k < name.length(); k++) {
            char c = name.charAt(k);
            if (c == '/' || c == '\\' || c < 0x20 || (c >= 0x7F && c <= 0x9F)) {
                throw new InvalidPathException(ErrorCode.INVALID_PATH,
                        "name contains a forbidden character (U+" + String.format("%04X", (int) c) + ")");
            }
            if (Character.isSurrogate(c)) {
                if (!Character.isHighSurrogate(c) || k + 1 >= name.length()
                        || !Character.isLowSurrogate(name.charAt(k + 1))) {
                    throw new InvalidPathException(ErrorCode.INVALID_PATH, "name contains an unpaired surrogate");
                }
                k++;
            }
        }
        String nfc = Normalizer.normalize(name, Normalizer.Form.NFC);
        if (nfc.getBytes(StandardCharsets.UTF_8).length > MAX_NAME) {
            throw new InvalidPathException(ErrorCode.NAME_TOO_LONG, "name longer than " + MAX_NAME + " bytes");
        }
        return nfc;
    }

    public boolean isRoot() {
        return names.isEmpty();
    }

    /** The components, root first. */
    public List<String> names() {
        return names;
    }

    /** The last component; "" for the root. */
    public String name() {
        return names.isEmpty() ? "" : names.get(names.size() - 1);
    }

    /** The parent directory; the root's parent is the root. */
    public ObjectPath parent() {
        return names.isEmpty() ? this : new ObjectPath(names.subList(0, names.size() - 1));
    }

    public ObjectPath child(String name) {
        List<String> n = new ArrayList<>(names);
        n.add(checkName(name));
        return of(n);
    }

    /** Whether this path is {@code other} or lies below it. */
    public boolean startsWith(ObjectPath other) {
        return names.size() >= other.names.size() && names.subList(0, other.names.size()).equals(other.names);
    }

    public int depth() {
        return names.size();
    }

    @Override
    public String toString() {
        return names.isEmpty() ? "/" : "/" + String.join("/", names);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ObjectPath p && p.names.equals(names);
    }

    @Override
    public int hashCode() {
        return names.hashCode();
    }

    /** Orders by the UTF-8 bytes of the path, the order of the node's listings. */
    @Override
    public int compareTo(ObjectPath o) {
        return java.util.Arrays.compareUnsigned(toString().getBytes(StandardCharsets.UTF_8),
                o.toString().getBytes(StandardCharsets.UTF_8));
    }

    private static String quote(String s) {
        if (s == null) {
            return "null";
        }
        String shown = s.length() > 80 ? s.substring(0, 80) + "..." : s;
        return "'" + shown.replaceAll("\\p{Cntrl}", "?") + "'";
    }

    /** A path that is malformed or too long; {@link #code()} says which. */
    public static final class InvalidPathException extends IllegalArgumentException {
        private final ErrorCode code;

        public InvalidPathException(ErrorCode code, String message) {
            super(message);
            this.code = code;
        }

        public ErrorCode code() {
            return code;
        }
    }
}
