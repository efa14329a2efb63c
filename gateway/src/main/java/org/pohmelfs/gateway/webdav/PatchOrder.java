package org.pohmelfs.gateway.webdav;

import java.util.HashMap;
import java.util.Map;
import javax.xml.namespace.QName;
import org.xml.sax.Attributes;
import org.xml.sax.helpers.DefaultHandler;

/**
 * Records, for each property a PROPPATCH names, whether its last instruction in document
 * order is a set (true) or a remove (false). Milton applies all sets before all removes;
 * RFC 4918 section 9.2 wants document order, so the resource consults this map when one
 * request both sets and removes a property.
 */
final class PatchOrder extends DefaultHandler {
    /** The request attribute under which the map is handed to the resources. */
    static final String ATTRIBUTE = org.pohmelfs.gateway.webdav.resource.DavResource.PROPPATCH_ORDER;

    private final Map<QName, Boolean> lastIsSet = new HashMap<>();
    private int depth;
    private Boolean operation;
    private int propDepth = -1;

    Map<QName, Boolean> result() {
        return lastIsSet;
    }

    @Override
    public void startElement(String uri, String localName, String qName, Attributes attributes) {
        depth++;
        if (depth == 2 && "DAV:".equals(uri)) {
            operation = localName.equals("set") ? Boolean.TRUE : localName.equals("remove") ? Boolean.FALSE : null;
        } else if (depth == 3 && operation != null && "DAV:".equals(uri) && localName.equals("prop")) {
            propDepth = depth;
        } else if (propDepth > 0 && depth == propDepth + 1) {
            lastIsSet.put(new QName(uri, localName), operation);
        }
    }

    @Override
    public void endElement(String uri, String localName, String qName) {
        if (depth == propDepth) {
            propDepth = -1;
        }
        if (depth == 2) {
            operation = null;
        }
        depth--;
    }
}
