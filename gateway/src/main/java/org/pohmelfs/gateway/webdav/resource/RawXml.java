package org.pohmelfs.gateway.webdav.resource;

import java.util.function.UnaryOperator;

/**
 * A live property whose value is ready XML (lockdiscovery, supportedlock), rendered for the
 * prefix the response binds to DAV:.
 */
public record RawXml(UnaryOperator<String> render) {
}
