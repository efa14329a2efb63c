package org.pohmelfs.gateway.webdav;

import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Milton writes a property in no namespace with a prefix bound to the empty string
 * ({@code xmlns:ns1=""}), which XML namespaces 1.0 forbids, so clients cannot parse the
 * multistatus. This rewrites such elements unprefixed with {@code xmlns=""} (Milton itself
 * always uses a prefix, so the default namespace is free). Applied to multistatus bodies
 * the adapter holds whole (up to {@link MiltonResponse#SMALL} bytes).
 */
final class NullNamespaceFix {
    private static final Pattern EMPTY_PREFIX = Pattern.compile(" xmlns:([A-Za-z][\\w.-]*)=\"\"");

    private NullNamespaceFix() {
    }

    static byte[] apply(byte[] body, int length) {
        String xml = new String(body, 0, length, StandardCharsets.UTF_8);
        Matcher m = EMPTY_PREFIX.matcher(xml);
        if (!m.find()) {
            return null;
        }
        String prefix = m.group(1);
        String fixed = m.replaceAll("")
                .replaceAll("<" + Pattern.quote(prefix) + ":([\\w.-]+)", "<$1 xmlns=\"\"")
                .replace("</" + prefix + ":", "</");
        return fixed.getBytes(StandardCharsets.UTF_8);
    }
}
