package org.pohmelfs.gateway.security;

import java.util.Objects;
import org.pohmelfs.protocol.ObjectPath;

/**
 * Who a request runs as once it is authenticated, whichever way it was (HTTP Basic, a bearer
 * token): the contract between identity (where users and tokens come from) and authorization
 * (what a user may touch: read-only, confinement to {@link #root}, the admin API).
 *
 * @param name     the user name, as written in the audit log
 * @param readOnly the user may use only the methods that change nothing
 * @param admin    the user may use the admin API (role ADMIN)
 * @param root     the user's view of the tree starts here: {@code /} for everyone not confined
 */
public record Account(String name, boolean readOnly, boolean admin, ObjectPath root) {
    /** Requests when authentication is off: anyone may read and write the whole tree. */
    public static final Account ANONYMOUS = new Account("anonymous", false, false, ObjectPath.ROOT);

    public Account {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(root, "root");
    }

    public boolean confined() {
        return !root.isRoot();
    }
}
