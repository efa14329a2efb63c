package org.pohmelfs.gateway.webdav.resource;

import io.milton.http.Auth;
import io.milton.http.LockInfo;
import io.milton.http.LockResult;
import io.milton.http.LockTimeout;
import io.milton.http.LockToken;
import io.milton.resource.LockableResource;
import org.pohmelfs.gateway.webdav.lock.LockXml;
import io.milton.http.HttpManager;
import io.milton.http.Request;
import io.milton.http.Response;
import io.milton.http.exceptions.BadRequestException;
import io.milton.http.exceptions.ConflictException;
import io.milton.http.exceptions.NotAuthorizedException;
import io.milton.http.values.ValueAndType;
import io.milton.http.webdav.PropFindResponse;
import io.milton.http.webdav.PropertySourcePatchSetter;
import io.milton.property.PropertySource;
import io.milton.resource.CollectionResource;
import io.milton.resource.CopyableResource;
import io.milton.resource.DeletableResource;
import io.milton.resource.MoveableResource;
import io.milton.resource.MultiNamespaceCustomPropertyResource;
import io.milton.resource.PropFindableResource;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.xml.namespace.QName;
import org.pohmelfs.gateway.http.Preconditions;
import org.pohmelfs.protocol.Attr;
import org.pohmelfs.protocol.ObjectPath;
import org.pohmelfs.gateway.security.PathView;
import org.pohmelfs.protocol.Xattr;

/**
 * What files and folders share: identity and validators from the node's {@link Attr},
 * delete, move, copy, and dead properties (PROPPATCH) kept as xattrs. A resource lives for
 * one request; it is a snapshot of the object when the request looked it up.
 *
 * <p>Authentication and authorisation are Spring Security's, before Milton is reached, so
 * every resource lets Milton proceed.
 *
 * <p>Locks (class 2): a {@link LockableResource}, so Milton advertises {@code DAV: 1, 2}, but
 * LOCK and UNLOCK never reach Milton (the adapter answers them with the node's locks) and
 * {@link #getCurrentLock()} is null, so Milton makes no lock decision of its own: the node
 * enforces every lock inside the transaction that would change a locked object.
 */
public abstract sealed class DavResource implements PropFindableResource, DeletableResource, MoveableResource,
        CopyableResource, MultiNamespaceCustomPropertyResource, PropertySourcePatchSetter.CommitableResource,
        LockableResource permits FileResource, FolderResource {

    /** Request attribute set by the adapter: property name to "last instruction is a set". */
    public static final String PROPPATCH_ORDER = "pohmelfs.proppatch.lastOp";

    static final QName LOCKDISCOVERY = new QName("DAV:", "lockdiscovery");
    static final QName SUPPORTEDLOCK = new QName("DAV:", "supportedlock");

    protected final DavContext context;
    protected final ObjectPath path;
    protected final Attr attr;
    private Map<QName, String> properties;
    private final Map<QName, String> toSet = new LinkedHashMap<>();
    private final List<QName> toRemove = new ArrayList<>();

    DavResource(DavContext context, ObjectPath path, Attr attr) {
        this.context = context;
        this.path = path;
        this.attr = attr;
    }

    static DavResource of(DavContext context, ObjectPath path, Attr attr) {
        return attr.isDirectory() ? new FolderResource(context, path, attr) : new FileResource(context, path, attr);
    }

    public ObjectPath path() {
        return path;
    }

    /** The entity tag, the same one the REST API sends (quoted). */
    public String etag() {
        return attr.etag();
    }

    @Override
    public String getUniqueId() {
        return attr.etag();
    }

    @Override
    public String getName() {
        // the top of a confined user's view is its "/": its real name would tell where the view starts
        return PathView.current().isTop(path) ? "" : path.name();
    }

    @Override
    public Object authenticate(String user, String password) {
        return user;
    }

    @Override
    public boolean authorise(Request request, Request.Method method, Auth auth) {
        return true;
    }

    @Override
    public String getRealm() {
        return "POHMELFS";
    }

    @Override
    public Date getModifiedDate() {
        return Date.from(Preconditions.lastModified(attr));
    }

    @Override
    public Date getCreateDate() {
        return getModifiedDate(); // the node keeps no creation time
    }

    @Override
    public String checkRedirect(Request request) {
        return null;
    }

    @Override
    public void delete() throws NotAuthorizedException, ConflictException, BadRequestException {
        if (path.isRoot() || PathView.current().isTop(path)) {
            throw new NotAuthorizedException("the root cannot be deleted", this, 403);
        }
        Failures.runOnItself(this, () -> context.files().delete(path, true).block());
    }

    @Override
    public void moveTo(CollectionResource destination, String name)
            throws ConflictException, NotAuthorizedException, BadRequestException {
        ObjectPath target = target(destination, name);
        Failures.runOn(this, () -> context.files().move(path, target, true).block());
    }

    @Override
    public void copyTo(CollectionResource destination, String name)
            throws NotAuthorizedException, BadRequestException, ConflictException {
        ObjectPath target = target(destination, name);
        Failures.runOn(this, () -> context.files().copy(path, target, true).block());
    }

    private ObjectPath target(CollectionResource destination, String name)
            throws ConflictException, NotAuthorizedException, BadRequestException {
        if (!(destination instanceof FolderResource folder)) {
            throw new ConflictException(this, "the destination's parent is not a collection");
        }
        if (path.isRoot() || PathView.current().isTop(path)) {
            throw new NotAuthorizedException("the root cannot be moved or copied", this, 403);
        }
        ObjectPath target = Failures.run(this, () -> folder.path.child(name));
        if (target.startsWith(path)) {
            throw new NotAuthorizedException("cannot copy or move a collection into itself", this, 403);
        }
        return target;
    }

    // ---- locks: answered by the adapter, never through Milton (see the class comment) ----

    @Override
    public LockResult lock(LockTimeout timeout, LockInfo lockInfo) {
        throw new UnsupportedOperationException("LOCK is answered by the adapter");
    }

    @Override
    public LockResult refreshLock(String token, LockTimeout timeout) {
        throw new UnsupportedOperationException("LOCK is answered by the adapter");
    }

    @Override
    public void unlock(String tokenId) {
        throw new UnsupportedOperationException("UNLOCK is answered by the adapter");
    }

    @Override
    public LockToken getCurrentLock() {
        return null;
    }

    // ---- dead properties -------------------------------------------------------------

    private Map<QName, String> properties() {
        if (properties == null) {
            // gone since the lookup (another writer deleted it): it has no dead properties left
            List<Xattr> xattrs = context.files().xattrs(path)
                    .onErrorResume(Failures::notFound, e -> reactor.core.publisher.Mono.empty()).block();
            properties = DeadProperties.decode(xattrs == null ? List.of() : xattrs);
        }
        return properties;
    }

    @Override
    public Object getProperty(QName name) {
        if (LOCKDISCOVERY.equals(name)) {
            return new RawXml(prefix -> context.locks().discovery(path, prefix));
        }
        if (SUPPORTEDLOCK.equals(name)) {
            return new RawXml(LockXml::supported);
        }
        return properties().get(name);
    }

    /** Stages a change; {@link #doCommit} applies all of one PROPPATCH in one transaction. */
    @Override
    public void setProperty(QName name, Object value) {
        if (value == null && lastInstructionIsSet(name)) {
            return; // removed, then set again later in the same PROPPATCH: the set wins
        }
        if (value == null) {
            toSet.remove(name);
            toRemove.add(name);
        } else {
            toRemove.remove(name);
            toSet.put(name, value.toString());
        }
    }

    /**
     * Live properties (the DAV: namespace) are Milton's; any other name may be set or removed
     * (removing an absent one is not an error, RFC 4918 section 14.23). In a PROPFIND, a
     * name that is not stored is unknown (404).
     */
    @Override
    public PropertySource.PropertyMetaData getPropertyMetaData(QName name) {
        if (LOCKDISCOVERY.equals(name) || SUPPORTEDLOCK.equals(name)) {
            return new PropertySource.PropertyMetaData(PropertySource.PropertyAccessibility.READ_ONLY, RawXml.class);
        }
        if ("DAV:".equals(name.getNamespaceURI())) {
            return null;
        }
        if (properties().containsKey(name) || inPropPatch()) {
            return new PropertySource.PropertyMetaData(PropertySource.PropertyAccessibility.WRITABLE, String.class);
        }
        return PropertySource.PropertyMetaData.UNKNOWN;
    }

    /** Whether the PROPPATCH body's last instruction for {@code name} is a set (document order). */
    private static boolean lastInstructionIsSet(QName name) {
        Request request = HttpManager.request();
        Object order = request == null ? null : request.getAttributes().get(PROPPATCH_ORDER);
        return order instanceof Map<?, ?> map && Boolean.TRUE.equals(map.get(name));
    }

    /** Milton asks for metadata both to read and to write; the request's method tells which. */
    private static boolean inPropPatch() {
        Request request = HttpManager.request();
        return request != null && request.getMethod() == Request.Method.PROPPATCH;
    }

    @Override
    public List<QName> getAllPropertyNames() {
        return List.copyOf(properties().keySet());
    }

    @Override
    public void doCommit(Map<QName, ValueAndType> knownProps,
                         Map<Response.Status, List<PropFindResponse.NameAndError>> errorProps)
            throws BadRequestException, NotAuthorizedException {
        if (!errorProps.isEmpty()) {
            // PROPPATCH is all or nothing (RFC 4918 section 9.2): nothing is applied, and
            // the properties that would have succeeded are reported as failed (Milton has no 424; its METHOD_FAILURE is the nearest).
            List<PropFindResponse.NameAndError> failed = new ArrayList<>();
            for (QName name : knownProps.keySet()) {
                failed.add(new PropFindResponse.NameAndError(name, "failed dependency"));
            }
            knownProps.clear();
            if (!failed.isEmpty()) {
                errorProps.computeIfAbsent(Response.Status.SC_METHOD_FAILURE, s -> new ArrayList<>()).addAll(failed);
            }
            return;
        }
        List<Xattr> set = toSet.entrySet().stream()
                .map(e -> new Xattr(DeadProperties.xattrName(e.getKey()), DeadProperties.encode(e.getValue())))
                .toList();
        List<String> remove = toRemove.stream().filter(properties()::containsKey).map(DeadProperties::xattrName).toList();
        Long mtime = win32LastModified(toSet.get(WIN32_LAST_MODIFIED));
        try {
            Failures.runOnItself(this, () -> context.files().updateXattrs(path, set, remove).block());
            if (mtime != null) {
                // Windows sets a file's time this way after saving it: the node's mtime follows,
                // so getlastmodified (and REST's mtime) show it. A second transaction, after the xattrs.
                Failures.runOnItself(this, () -> context.files().setAttributes(path, mtime, -1).block());
            }
        } catch (ConflictException e) {
            throw new BadRequestException(this, e.getMessage());
        }
        toSet.clear();
        toRemove.clear();
        properties = null;
    }

    /** Windows' modification time property (MS-WDV), an RFC 1123 date. */
    static final QName WIN32_LAST_MODIFIED = new QName("urn:schemas-microsoft-com:", "Win32LastModifiedTime");

    /** Nanoseconds since the epoch of an RFC 1123 date, or null when absent or not a date. */
    static Long win32LastModified(String value) {
        if (value == null) {
            return null;
        }
        try {
            java.time.Instant t = java.time.ZonedDateTime.parse(value.trim(),
                    java.time.format.DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
            return t.getEpochSecond() * 1_000_000_000L + t.getNano();
        } catch (java.time.format.DateTimeParseException e) {
            return null;
        }
    }
}
