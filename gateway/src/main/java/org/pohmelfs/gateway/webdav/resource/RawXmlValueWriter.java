package org.pohmelfs.gateway.webdav.resource;

import io.milton.http.XmlWriter;
import io.milton.http.values.ValueWriter;
import java.util.Map;

/** Writes a {@link RawXml} property value inside its property element, unescaped. */
public final class RawXmlValueWriter implements ValueWriter {
    @Override
    public boolean supports(String nsUri, String localName, Class valueClass) {
        return RawXml.class.isAssignableFrom(valueClass);
    }

    @Override
    public void writeValue(XmlWriter writer, String nsUri, String prefix, String localName, Object val, String href,
                           Map<String, String> nsPrefixes) {
        XmlWriter.Element e = writer.begin(prefix, localName).open(false);
        writer.writeText(((RawXml) val).render().apply(prefix));
        e.close();
    }

    @Override
    public Object parse(String namespaceURI, String localPart, String value) {
        throw new UnsupportedOperationException("read-only property");
    }
}
