package org.pohmelfs.gateway.webdav.resource;

import io.milton.http.ResourceFactory;
import io.milton.http.exceptions.BadRequestException;
import io.milton.resource.Resource;
import org.pohmelfs.gateway.http.PathCodec;
import org.pohmelfs.protocol.Attr;
import org.pohmelfs.protocol.ObjectPath;

/**
 * Maps a URL path under the WebDAV prefix to a file or folder resource. Milton hands in
 * paths already percent-decoded; the raw request path and Destination were checked strictly
 * with {@link PathCodec} before Milton ran, and the decoded form is checked again here.
 */
public final class DavResourceFactory implements ResourceFactory {
    private final DavContext context;
    private final String prefix;

    public DavResourceFactory(DavContext context, String prefix) {
        this.context = context;
        this.prefix = prefix;
    }

    @Override
    public Resource getResource(String host, String decodedPath) throws BadRequestException {
        if (decodedPath == null || !(decodedPath.equals(prefix) || decodedPath.startsWith(prefix + "/"))) {
            return null;
        }
        String rest = decodedPath.substring(prefix.length());
        ObjectPath path;
        try {
            path = PathCodec.parseDecoded(rest.isEmpty() ? "/" : rest);
        } catch (ObjectPath.InvalidPathException e) {
            throw new BadRequestException(e.getMessage());
        }
        Attr attr = context.files().find(path).block();
        return attr == null ? null : DavResource.of(context, path, attr);
    }
}
