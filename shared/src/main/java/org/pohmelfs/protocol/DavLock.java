package org.pohmelfs.protocol;

import java.util.Objects;

/**
 * One WebDAV lock as the node holds it.
 *
 * @param token            the lock token (an absolute URI, e.g. {@code opaquelocktoken:<uuid>})
 * @param root             the locked path (the lock root)
 * @param exclusive        exclusive, else shared
 * @param infinite         depth infinity, else depth 0
 * @param owner            the client's DAV:owner XML, verbatim ("" when none)
 * @param principal        who took it
 * @param timeoutSeconds   the lifetime granted at the last LOCK or refresh
 * @param expiresAtMillis  when it stops being enforced (epoch milliseconds, node clock)
 */
public record DavLock(String token, String root, boolean exclusive, boolean infinite, String owner,
                      String principal, int timeoutSeconds, long expiresAtMillis) {
    public DavLock {
        Objects.requireNonNull(token, "token");
        Objects.requireNonNull(root, "root");
        Objects.requireNonNull(owner, "owner");
        Objects.requireNonNull(principal, "principal");
    }

    /** Whether the lock applies to {@code path}: its root, or below it with depth infinity. */
    public boolean covers(String path) {
        return root.equals(path) || infinite && isBelow(path, root);
    }

    /** Whether {@code path} is strictly below {@code ancestor}. */
    public static boolean isBelow(String path, String ancestor) {
        if (ancestor.equals("/")) {
            return !path.equals("/");
        }
        return path.length() > ancestor.length() && path.startsWith(ancestor) && path.charAt(ancestor.length()) == '/';
    }

    public DavLock withExpiry(int seconds, long expiresAt) {
        return new DavLock(token, root, exclusive, infinite, owner, principal, seconds, expiresAt);
    }
}
