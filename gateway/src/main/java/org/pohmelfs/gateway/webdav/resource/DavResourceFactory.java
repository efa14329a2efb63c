package org.pohmelfs.gateway.webdav.resource;

import io.milton.http.HttpManager;
import io.milton.http.Request;
import io.milton.http.ResourceFactory;
import io.milton.http.exceptions.BadRequestException;
import io.milton.resource.Resource;
import org.pohmelfs.gateway.http.PathCodec;
import org.pohmelfs.gateway.security.PathView;
import org.pohmelfs.protocol.Attr;
import org.pohmelfs.protocol.ObjectPath;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiConsumer;

/**
 * Maps a URL path under the WebDAV prefix to a file or folder resource. Milton hands in
 * paths already percent-decoded; the raw request path and Destination were checked strictly
 * with {@link PathCodec} before Milton ran, and the decoded form is checked again here.
 *
 * <p>One request sees one snapshot: Milton looks the same path up several times while it
 * handles one request (PUT looks the target up, then again as the "nearest parent"), and
 * another writer may change the tree in between. A different answer the second time sends
 * Milton down paths it does not expect (a NullPointerException in PutHandler when a file
 * appears between the two looks). So each request's first answer for a path is kept in the
 * request's attributes ({@link #LOOKUPS}) and given again; the operation itself then meets
 * the tree as it is, and the resources turn what changed into 404/409 (see {@link Failures}).
 */
public final class DavResourceFactory implements ResourceFactory {
    private final DavContext context;
    private final String prefix;
    /** Told of every lookup that asked the node (path, resource or null): a test hook, else a no-op. */
    private static final BiConsumer<ObjectPath, Resource> NO_OBSERVER = (path, resource) -> { };
    private volatile BiConsumer<ObjectPath, Resource> observer = NO_OBSERVER;

    /** Request attribute: the lookups made so far for the request (decoded path to resource). */
    public static final String LOOKUPS = "pohmelfs.lookups";

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
            // in the user's view: what Milton looks up (request path, Destination) is a view path
            path = PathView.current().inward(PathCodec.parseDecoded(rest.isEmpty() ? "/" : rest));
        } catch (ObjectPath.InvalidPathException e) {
            throw new BadRequestException(e.getMessage());
        }
        try {
            return lookUpOnce(path);
        } catch (org.pohmelfs.client.NodeException e) {
            Failures.hintNode(e);
            throw e;
        }
    }

    private Resource lookUpOnce(ObjectPath path) {
        Request request = HttpManager.request();
        if (request == null) {
            return lookUp(path);
        }
        @SuppressWarnings("unchecked")
        Map<ObjectPath, Optional<Resource>> seen = (Map<ObjectPath, Optional<Resource>>) request.getAttributes()
                .computeIfAbsent(LOOKUPS, k -> new HashMap<ObjectPath, Optional<Resource>>());
        Optional<Resource> known = seen.get(path);
        if (known == null) {
            known = Optional.ofNullable(lookUp(path));
            seen.put(path, known);
        }
        return known.orElse(null);
    }

    private Resource lookUp(ObjectPath path) {
        Attr attr = context.files().find(path).block();
        Resource resource = attr == null ? null : DavResource.of(context, path, attr);
        observer.accept(path, resource);
        return resource;
    }

    /**
     * Test hook: {@code observer} runs on the request's thread right after each lookup that asked
     * the node, before Milton acts on its answer, so a test can change the tree exactly there
     * (another writer's change landing between Milton's lookup and the operation).
     */
    public void observeLookups(BiConsumer<ObjectPath, Resource> observer) {
        this.observer = observer == null ? NO_OBSERVER : observer;
    }

    /** Whether a test hook is set ({@link #observeLookups}). */
    public boolean observed() {
        return observer != NO_OBSERVER;
    }

    /**
     * Tells the test hook of a lookup made outside Milton (the fast GET path), as if this factory
     * had made it; blocking, so call it off the event loop.
     */
    public void lookedUp(ObjectPath path, Attr attr) {
        observer.accept(path, attr == null ? null : DavResource.of(context, path, attr));
    }
}
