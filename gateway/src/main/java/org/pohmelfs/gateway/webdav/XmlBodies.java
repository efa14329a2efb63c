package org.pohmelfs.gateway.webdav;

import java.io.ByteArrayInputStream;
import javax.xml.XMLConstants;
import javax.xml.parsers.SAXParser;
import javax.xml.parsers.SAXParserFactory;
import org.xml.sax.InputSource;
import org.xml.sax.helpers.DefaultHandler;

/**
 * Screens WebDAV XML request bodies before Milton parses them. Milton's SAX parsing uses the
 * JDK defaults, which resolve external entities and expand internal ones; a body is therefore
 * parsed here first with DOCTYPE declarations disallowed, and any body with a DOCTYPE (the
 * carrier of XXE and entity-expansion bombs) or that is not well-formed is refused. The
 * check runs on the decoded document, so a UTF-16 body cannot hide a DOCTYPE from it.
 */
final class XmlBodies {
    /** Largest XML body accepted (PROPFIND/PROPPATCH bodies are small). */
    static final int MAX = 1024 * 1024;

    private static final SAXParserFactory FACTORY = factory();

    private XmlBodies() {
    }

    private static SAXParserFactory factory() {
        try {
            SAXParserFactory f = SAXParserFactory.newInstance();
            f.setNamespaceAware(true);
            f.setXIncludeAware(false);
            f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
            f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            f.setFeature("http://xml.org/sax/features/external-general-entities", false);
            f.setFeature("http://xml.org/sax/features/external-parameter-entities", false);
            f.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
            return f;
        } catch (Exception e) {
            throw new IllegalStateException("cannot configure a safe XML parser", e);
        }
    }

    /** Null when the body is acceptable (empty, or well-formed without a DOCTYPE), else why not. */
    static String problem(byte[] body) {
        return problem(body, new DefaultHandler());
    }

    /** As {@link #problem(byte[])}, passing the document to {@code handler} as it is checked. */
    static String problem(byte[] body, DefaultHandler handler) {
        if (body.length == 0) {
            return null;
        }
        try {
            SAXParser parser = FACTORY.newSAXParser();
            parser.parse(new InputSource(new ByteArrayInputStream(body)), handler);
            return null;
        } catch (Exception e) {
            return "the XML body was refused: " + e.getMessage();
        }
    }
}
