package org.pohmelfs.gateway.security;

import java.util.Objects;
import java.util.Optional;
import org.pohmelfs.protocol.ObjectPath;

/**
 * A user's view of the tree: the view's {@code /} is the real {@link #root}. Every path that
 * comes in from a request (URL, Destination, If-header tag, a REST parameter naming a second
 * path) is a view path and goes through {@link #inward}; every real path that goes back out
 * (hrefs, Location, listings, lock roots) goes through {@link #outward}. Coherent cache, locks
 * and the reply cache keep working on real paths.
 *
 * <p>Escaping is impossible by construction: a view path is an {@link ObjectPath}, which has
 * already refused {@code .}, {@code ..}, empty names, slashes and control characters inside a
 * name, and has normalised every name to NFC; {@link #inward} only appends its names below
 * the root. Pure: no I/O.
 *
 * @param root where the view starts ({@link ObjectPath#ROOT} for an unconfined user)
 */
public record PathView(ObjectPath root) {
    /** The whole tree (unconfined users, and every request when authentication is off). */
    public static final PathView WHOLE = new PathView(ObjectPath.ROOT);

    /**
     * The view of the request being served on this thread, for front ends that run off the
     * event loop (Milton), where the Reactor context is not at hand; {@link #WHOLE} when unbound.
     */
    public static final ScopedValue<PathView> REQUEST = ScopedValue.newInstance();

    public PathView {
        Objects.requireNonNull(root, "root");
    }

    public static PathView of(Account account) {
        return account.confined() ? new PathView(account.root()) : WHOLE;
    }

    /** The view bound to this thread ({@link #REQUEST}), else the whole tree. */
    public static PathView current() {
        return REQUEST.isBound() ? REQUEST.get() : WHOLE;
    }

    public boolean confined() {
        return !root.isRoot();
    }

    /** The real path of a view path: always {@link #root} or below it. */
    public ObjectPath inward(ObjectPath view) {
        ObjectPath real = root;
        for (String name : view.names()) {
            real = real.child(name);
        }
        return real;
    }

    /** The view path of a real path, or empty when the real path lies outside the view. */
    public Optional<ObjectPath> toView(ObjectPath real) {
        if (!real.startsWith(root)) {
            return Optional.empty();
        }
        ObjectPath view = ObjectPath.ROOT;
        for (String name : real.names().subList(root.depth(), real.depth())) {
            view = view.child(name);
        }
        return Optional.of(view);
    }

    /**
     * The view path of a real path that goes back out to the user; a path outside the view
     * (the root of a lock taken above it, which covers the whole view) shows as the view's
     * {@code /}, so nothing above the root is ever named.
     */
    public ObjectPath outward(ObjectPath real) {
        return toView(real).orElse(ObjectPath.ROOT);
    }

    /**
     * A message (an error's detail) as its user may see it: the root's own path is cut from
     * every real path in it, so a confined user never learns where its view starts.
     */
    public String hide(String message) {
        if (message == null || root.isRoot()) {
            return message;
        }
        // the root where a path starts (after the start or a delimiter), followed by "/" or the path's end
        String top = java.util.regex.Pattern.quote(root.toString());
        return message.replaceAll("(?<=^|[\\s'\"(\\[,;:=])" + top + "(/|(?=[\\s'\"),;:\\]]|$))", "/");
    }

    /** Whether {@code real} is the top of the view (which its user may not delete or move). */
    public boolean isTop(ObjectPath real) {
        return real.equals(root);
    }
}
