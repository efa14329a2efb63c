package org.pohmelfs.gateway.webdav.resource;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.xml.namespace.QName;
import org.pohmelfs.protocol.Xattr;

/**
 * How WebDAV dead properties are stored as extended attributes on the node: the property
 * {namespace}localname is the xattr {@code dav:{namespace}localname} (Clark notation after a
 * prefix), its value the UTF-8 text. A local name (an XML NCName) cannot contain '}', so the
 * last '}' always ends the namespace, whatever characters the namespace URI holds.
 */
final class DeadProperties {
    static final String PREFIX = "dav:";

    private DeadProperties() {
    }

    static String xattrName(QName name) {
        return PREFIX + "{" + name.getNamespaceURI() + "}" + name.getLocalPart();
    }

    /** The property an xattr holds, or null if it is not a dead property. */
    static QName propertyName(String xattr) {
        if (!xattr.startsWith(PREFIX + "{")) {
            return null;
        }
        int close = xattr.lastIndexOf('}');
        if (close < PREFIX.length() + 1 || close == xattr.length() - 1) {
            return null;
        }
        return new QName(xattr.substring(PREFIX.length() + 1, close), xattr.substring(close + 1));
    }

    static ByteBuffer encode(String value) {
        return ByteBuffer.wrap((value == null ? "" : value).getBytes(StandardCharsets.UTF_8));
    }

    /** The dead properties among a node's xattrs, in the node's order. */
    static Map<QName, String> decode(Iterable<Xattr> xattrs) {
        Map<QName, String> props = new LinkedHashMap<>();
        for (Xattr x : xattrs) {
            QName name = propertyName(x.name());
            if (name != null) {
                props.put(name, StandardCharsets.UTF_8.decode(x.value().duplicate()).toString());
            }
        }
        return props;
    }
}
