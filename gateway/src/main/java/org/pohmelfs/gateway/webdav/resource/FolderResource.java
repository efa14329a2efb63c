package org.pohmelfs.gateway.webdav.resource;

import io.milton.http.exceptions.BadRequestException;
import io.milton.http.exceptions.ConflictException;
import io.milton.http.exceptions.NotAuthorizedException;
import io.milton.resource.CollectionResource;
import io.milton.resource.DeletableCollectionResource;
import io.milton.resource.MakeCollectionableResource;
import io.milton.resource.PutableResource;
import io.milton.resource.QuotaResource;
import io.milton.resource.Resource;
import java.io.InputStream;
import java.util.List;
import org.pohmelfs.protocol.Attr;
import org.pohmelfs.protocol.NodeInfo;
import org.pohmelfs.protocol.ObjectPath;

/** A folder: children (for PROPFIND Depth 1), MKCOL and PUT of new members below it. */
public final class FolderResource extends DavResource
        implements MakeCollectionableResource, PutableResource, DeletableCollectionResource, QuotaResource {
    /** The node's usage, asked once per resource (one STATFS), only if a quota property is. */
    private NodeInfo usage;

    FolderResource(DavContext context, ObjectPath path, Attr attr) {
        super(context, path, attr);
    }

    private NodeInfo usage() {
        if (usage == null) {
            usage = context.files().quota().block();
        }
        return usage;
    }

    /** RFC 4331 quota-used-bytes: what the node's export holds. */
    @Override
    public Long getQuotaUsed() {
        return usage().usedBytes();
    }

    /** RFC 4331 quota-available-bytes: what may still be written (the node counts its size limit and free space). */
    @Override
    public Long getQuotaAvailable() {
        return usage().availableBytes();
    }

    @Override
    public Resource child(String name) throws BadRequestException, NotAuthorizedException {
        ObjectPath child;
        try {
            child = Failures.run(this, () -> path.child(name));
        } catch (ConflictException e) {
            throw new BadRequestException(this, e.getMessage());
        }
        Attr a = context.files().find(child).block();
        return a == null ? null : DavResource.of(context, child, a);
    }

    @Override
    public List<? extends Resource> getChildren() throws BadRequestException {
        try {
            return context.files().listAll(path, context.pageSize())
                    .map(e -> DavResource.of(context, path.child(e.name()), e.attr()))
                    .collectList().block();
        } catch (org.pohmelfs.gateway.files.FileException e) {
            if (!Failures.notFound(e)) {
                throw e;
            }
            // deleted since the lookup: what a single server would answer had the delete come first
            Failures.override(404);
            throw new BadRequestException(this, path + " was deleted");
        }
    }

    @Override
    public CollectionResource createCollection(String name)
            throws NotAuthorizedException, ConflictException, BadRequestException {
        io.milton.http.Request request = io.milton.http.HttpManager.request();
        if (request != null && request.getMethod() == io.milton.http.Request.Method.PUT) {
            // Milton's PUT makes missing parent folders; RFC 4918 section 9.7.1 says 409 instead
            // (also when the parent was deleted while the PUT was under way)
            throw new ConflictException(this, "the parent of the PUT's target does not exist");
        }
        ObjectPath child = Failures.run(this, () -> path.child(name));
        Attr a;
        try {
            a = Failures.run(this, () -> context.files().mkdir(child, false).block());
        } catch (ConflictException e) {
            if (e.getCause() instanceof org.pohmelfs.gateway.files.FileException f
                    && f.code() == org.pohmelfs.protocol.ErrorCode.EXISTS) {
                Failures.override(405); // created since Milton looked: MKCOL on an existing name (RFC 4918 9.3.1)
            }
            throw e;
        }
        return new FolderResource(context, child, a);
    }

    @Override
    public Resource createNew(String name, InputStream in, Long length, String contentType)
            throws ConflictException, NotAuthorizedException, BadRequestException {
        ObjectPath child = Failures.run(this, () -> path.child(name));
        Attr a = Failures.run(this, () -> context.files()
                .upload(child, FileResource.chunks(context, in), false, null).block());
        return new FileResource(context, child, a);
    }

    @Override
    public boolean isLockedOutRecursive(io.milton.http.Request request) {
        return false; // no locks in class 1
    }
}
