package org.pohmelfs.gateway.audit;

/**
 * One line of the audit log: who changed what, through which gateway, when.
 *
 * @param time            when the change was answered (ISO-8601, UTC)
 * @param gateway         the gateway's id ({@code pohmelfs.gateway.id})
 * @param user            the account's name ("anonymous" when authentication is off)
 * @param client          the client's address
 * @param method          the HTTP method
 * @param frontEnd        rest, dav or admin
 * @param operation       what was done (write, patch, delete, mkdir, move, copy, set-xattr, ...; the
 *                        WebDAV method in lower case; add-node, remove-node)
 * @param path            the real path changed (the URL path for admin)
 * @param viewPath        the same path as the user sees it (its view starts at its root)
 * @param destination     the real target of a move or copy, else null
 * @param viewDestination the target as the user named it, else null
 * @param status          the HTTP status answered
 * @param bytes           request body bytes received
 */
public record AuditEntry(String time, String gateway, String user, String client, String method, String frontEnd,
                         String operation, String path, String viewPath, String destination, String viewDestination,
                         int status, long bytes) {
}
