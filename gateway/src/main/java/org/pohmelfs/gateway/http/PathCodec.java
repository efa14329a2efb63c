package org.pohmelfs.gateway.http;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import org.pohmelfs.gateway.files.FileService;
import org.pohmelfs.protocol.ErrorCode;
import org.pohmelfs.protocol.ObjectPath;

/**
 * Turns the raw (still percent-encoded) path of a request URL into an {@link ObjectPath},
 * strictly: each segment is percent-decoded on its own, so an encoded slash ({@code %2F}) can
 * never split or join segments and is refused; the decoded bytes must be valid, shortest-form
 * UTF-8 (overlong encodings such as {@code %C0%AE} are refused); then ObjectPath's rules apply
 * ({@code ..}, NUL, control characters, lengths). The reserved names of the node and of
 * uploads in progress are refused too.
 */
public final class PathCodec {
    private PathCodec() {
    }

    /** Decodes {@code rawPath} (e.g. "/a/b%20c"), which is relative to a front end's prefix. */
    public static ObjectPath decode(String rawPath) {
        if (rawPath.isEmpty() || rawPath.equals("/")) {
            return ObjectPath.ROOT;
        }
        StringBuilder decoded = new StringBuilder(rawPath.length());
        String[] segments = rawPath.split("/", -1);
        for (int i = 0; i < segments.length; i++) {
            String segment = segments[i];
            if (i == 0) {
                if (!segment.isEmpty()) {
                    throw invalid("path must start with '/'");
                }
                continue;
            }
            if (segment.isEmpty() && i == segments.length - 1) {
                break; // trailing slash
            }
            decoded.append('/').append(decodeSegment(segment));
        }
        return checkReserved(ObjectPath.parse(decoded.isEmpty() ? "/" : decoded.toString()));
    }

    /** Parses a path given in decoded form (a query parameter, a header), with the same rules. */
    public static ObjectPath parseDecoded(String path) {
        return checkReserved(ObjectPath.parse(path));
    }

    private static ObjectPath checkReserved(ObjectPath path) {
        if (!path.isRoot()) {
            String first = path.names().getFirst();
            if (first.equals(FileService.STAGING) || first.equals(".pohmelfs")) {
                throw invalid("'" + first + "' is a reserved name");
            }
        }
        return path;
    }

    /** Percent-decodes one segment into a name (no '/' allowed after decoding). */
    static String decodeSegment(String segment) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(segment.length());
        for (int i = 0; i < segment.length(); i++) {
            char c = segment.charAt(i);
            if (c == '%') {
                if (i + 2 >= segment.length()) {
                    throw invalid("truncated percent-encoding in path");
                }
                int hi = Character.digit(segment.charAt(i + 1), 16);
                int lo = Character.digit(segment.charAt(i + 2), 16);
                if (hi < 0 || lo < 0) {
                    throw invalid("bad percent-encoding in path");
                }
                int b = (hi << 4) | lo;
                if (b == '/' || b == '\\') {
                    throw invalid("encoded slash in path");
                }
                bytes.write(b);
                i += 2;
            } else if (c > 0x7F) {
                byte[] utf8 = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
                bytes.writeBytes(utf8);
            } else {
                bytes.write(c);
            }
        }
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes.toByteArray()))
                    .toString();
        } catch (CharacterCodingException e) {
            throw invalid("path is not valid UTF-8");
        }
    }

    /** Encodes a path for use in a URL (each segment percent-encoded, '/' kept). */
    public static String encode(ObjectPath path) {
        if (path.isRoot()) {
            return "/";
        }
        StringBuilder sb = new StringBuilder();
        for (String name : path.names()) {
            sb.append('/').append(encodeSegment(name));
        }
        return sb.toString();
    }

    static String encodeSegment(String name) {
        StringBuilder sb = new StringBuilder();
        for (byte b : name.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xFF;
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '-' || c == '.' || c == '_' || c == '~') {
                sb.append((char) c);
            } else {
                sb.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 0xF, 16)));
            }
        }
        return sb.toString();
    }

    private static ObjectPath.InvalidPathException invalid(String why) {
        return new ObjectPath.InvalidPathException(ErrorCode.INVALID_PATH, why);
    }
}
