package org.pohmelfs.gateway.webdav.lock;

import java.util.List;
import org.pohmelfs.protocol.DavLock;
import org.pohmelfs.protocol.ObjectPath;

/** The XML of WebDAV lock properties and errors (RFC 4918 sections 14 and 15); pure. */
public final class LockXml {
    private LockXml() {
    }

    /**
     * DAV:activelock elements for {@code locks}, with {@code p} the prefix bound to DAV:;
     * {@code url} makes the URL of a lock's (real) root path.
     */
    public static String activeLocks(List<DavLock> locks, java.util.function.Function<ObjectPath, String> url,
                                     String p) {
        StringBuilder sb = new StringBuilder();
        for (DavLock l : locks) {
            String body = "<D:activelock><D:locktype><D:write/></D:locktype><D:lockscope>"
                    + (l.exclusive() ? "<D:exclusive/>" : "<D:shared/>")
                    + "</D:lockscope><D:depth>" + (l.infinite() ? "infinity" : "0") + "</D:depth>"
                    + "\u0000"
                    + "<D:timeout>Second-" + l.timeoutSeconds() + "</D:timeout>"
                    + "<D:locktoken><D:href>" + escape(l.token()) + "</D:href></D:locktoken>"
                    + "<D:lockroot><D:href>" + escape(url.apply(ObjectPath.parse(l.root())))
                    + "</D:href></D:lockroot></D:activelock>";
            // the owner is the client's own XML, with its own namespace declarations: kept as is
            sb.append(prefixed(body, p).replace("\u0000", l.owner()));
        }
        return sb.toString();
    }

    /** The DAV:supportedlock value: exclusive and shared write locks. */
    public static String supported(String p) {
        return prefixed("<D:lockentry><D:lockscope><D:exclusive/></D:lockscope>"
                + "<D:locktype><D:write/></D:locktype></D:lockentry>"
                + "<D:lockentry><D:lockscope><D:shared/></D:lockscope>"
                + "<D:locktype><D:write/></D:locktype></D:lockentry>", p);
    }

    private static String prefixed(String xml, String p) {
        return p.equals("D") ? xml : xml.replace("<D:", "<" + p + ":").replace("</D:", "</" + p + ":");
    }

    /** A LOCK response body: the lockdiscovery of the lock taken or refreshed. */
    public static String lockResponse(DavLock lock, java.util.function.Function<ObjectPath, String> url) {
        return "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<D:prop xmlns:D=\"DAV:\"><D:lockdiscovery>"
                + activeLocks(List.of(lock), url, "D") + "</D:lockdiscovery></D:prop>\n";
    }

    /** A DAV:error body naming a precondition (e.g. lock-token-submitted with the locked URLs). */
    public static String error(String precondition, String innerXml) {
        return "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<D:error xmlns:D=\"DAV:\"><D:" + precondition
                + (innerXml == null || innerXml.isEmpty() ? "/>" : ">" + innerXml + "</D:" + precondition + ">")
                + "</D:error>\n";
    }

    static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
