package org.pohmelfs.gateway.webdav.lock;

import java.io.ByteArrayInputStream;
import java.io.StringWriter;
import java.util.Locale;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.transform.OutputKeys;
import javax.xml.transform.Transformer;
import javax.xml.transform.TransformerFactory;
import javax.xml.transform.dom.DOMSource;
import javax.xml.transform.stream.StreamResult;
import org.w3c.dom.Element;
import org.w3c.dom.Node;

/**
 * A LOCK request's headers and body, parsed and checked; pure (no I/O beyond the bytes given).
 *
 * @param create         a new lock (a lockinfo body) rather than a refresh (no body)
 * @param exclusive      exclusive scope, else shared
 * @param infinite       Depth infinity (the default), else 0
 * @param owner          the DAV:owner element as XML ("" when absent)
 * @param timeoutSeconds requested lifetime; 0 for Infinite or none (the node caps it)
 */
public record LockRequest(boolean create, boolean exclusive, boolean infinite, String owner, int timeoutSeconds) {
    static final String DAV = "DAV:";
    /** The most owner XML kept per lock. */
    public static final int MAX_OWNER = 4096;

    /** A request that must be refused with 400. */
    public static final class Invalid extends IllegalArgumentException {
        Invalid(String message) {
            super(message);
        }
    }

    public static LockRequest parse(byte[] body, String depth, String timeout) {
        boolean infinite = parseDepth(depth);
        int seconds = parseTimeout(timeout);
        if (body.length == 0) {
            return new LockRequest(false, true, infinite, "", seconds);
        }
        Element root = document(body);
        if (!DAV.equals(root.getNamespaceURI()) || !"lockinfo".equals(root.getLocalName())) {
            throw new Invalid("the LOCK body must be a DAV:lockinfo element");
        }
        Element scope = child(root, "lockscope");
        Element type = child(root, "locktype");
        if (scope == null || type == null) {
            throw new Invalid("lockinfo needs lockscope and locktype");
        }
        if (child(type, "write") == null) {
            throw new Invalid("only write locks are supported");
        }
        boolean exclusive = child(scope, "exclusive") != null;
        if (!exclusive && child(scope, "shared") == null) {
            throw new Invalid("lockscope must be exclusive or shared");
        }
        Element owner = child(root, "owner");
        String ownerXml = owner == null ? "" : serialize(owner);
        if (ownerXml.length() > MAX_OWNER) {
            throw new Invalid("the owner is longer than " + MAX_OWNER + " characters");
        }
        return new LockRequest(true, exclusive, infinite, ownerXml, seconds);
    }

    static boolean parseDepth(String depth) {
        if (depth == null) {
            return true;
        }
        return switch (depth.trim().toLowerCase(Locale.ROOT)) {
            case "infinity" -> true;
            case "0" -> false;
            default -> throw new Invalid("LOCK takes Depth 0 or infinity");
        };
    }

    /** RFC 4918 section 10.7: "Infinite" or "Second-N", comma-separated; the first is used. */
    static int parseTimeout(String timeout) {
        if (timeout == null || timeout.isBlank()) {
            return 0;
        }
        String first = timeout.split(",", 2)[0].trim();
        if (first.equalsIgnoreCase("Infinite")) {
            return 0;
        }
        if (first.regionMatches(true, 0, "Second-", 0, 7) && first.length() > 7 && first.length() <= 7 + 18
                && first.substring(7).chars().allMatch(Character::isDigit)) {
            long n = Long.parseLong(first.substring(7));
            return n == 0 ? 1 : (int) Math.min(n, Integer.MAX_VALUE);
        }
        throw new Invalid("Timeout must be Infinite or Second-N");
    }

    private static Element document(byte[] body) {
        try {
            DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
            f.setNamespaceAware(true);
            f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
            f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            f.setFeature("http://xml.org/sax/features/external-general-entities", false);
            f.setFeature("http://xml.org/sax/features/external-parameter-entities", false);
            f.setXIncludeAware(false);
            f.setExpandEntityReferences(false);
            DocumentBuilder b = f.newDocumentBuilder();
            b.setErrorHandler(null);
            return b.parse(new ByteArrayInputStream(body)).getDocumentElement();
        } catch (Exception e) {
            throw new Invalid("the LOCK body is not acceptable XML: " + e.getMessage());
        }
    }

    private static Element child(Element parent, String name) {
        for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e && DAV.equals(e.getNamespaceURI()) && name.equals(e.getLocalName())) {
                return e;
            }
        }
        return null;
    }

    private static String serialize(Element e) {
        try {
            Transformer t = TransformerFactory.newDefaultInstance().newTransformer();
            t.setOutputProperty(OutputKeys.OMIT_XML_DECLARATION, "yes");
            StringWriter out = new StringWriter();
            t.transform(new DOMSource(e), new StreamResult(out));
            return out.toString();
        } catch (Exception ex) {
            throw new Invalid("the owner cannot be kept: " + ex.getMessage());
        }
    }
}
