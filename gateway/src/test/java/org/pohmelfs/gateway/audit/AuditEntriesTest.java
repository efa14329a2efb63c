package org.pohmelfs.gateway.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.pohmelfs.gateway.security.Account;
import org.pohmelfs.protocol.ObjectPath;

class AuditEntriesTest {
    static final Instant NOW = Instant.parse("2026-11-29T12:00:00Z");
    static final Account CAROL = new Account("carol", false, false, ObjectPath.parse("/team/a"));

    static AuditEntries.Answered req(String method, String path, String action, String to, String destination,
                                     int status) {
        return new AuditEntries.Answered(method, path, action, to, destination, "127.0.0.1", status, 3);
    }

    @Test
    void aRestMoveNamesBothPathsRealAndAsSeen() {
        AuditEntry e = AuditEntries.of(req("POST", "/api/v1/files/x%20y", "move", "/z", null, 201), CAROL, "gw1", NOW)
                .orElseThrow();
        assertThat(e).isEqualTo(new AuditEntry("2026-11-29T12:00:00Z", "gw1", "carol", "127.0.0.1", "POST", "rest",
                "move", "/team/a/x y", "/x y", "/team/a/z", "/z", 201, 3));
    }

    @Test
    void aDavCopyTakesItsDestinationFromTheHeader() {
        AuditEntry e = AuditEntries.of(req("COPY", "/dav/a", null, null, "http://h:1/dav/b/c", 201), CAROL, "gw2", NOW)
                .orElseThrow();
        assertThat(e.frontEnd()).isEqualTo("dav");
        assertThat(e.operation()).isEqualTo("copy");
        assertThat(e.path()).isEqualTo("/team/a/a");
        assertThat(e.destination()).isEqualTo("/team/a/b/c");
        assertThat(e.viewDestination()).isEqualTo("/b/c");
    }

    @Test
    void operationsByFrontEnd() {
        assertThat(AuditEntries.of(req("PUT", "/api/v1/files/f", null, null, null, 201), Account.ANONYMOUS, "g", NOW)
                .orElseThrow()).extracting(AuditEntry::operation, AuditEntry::path, AuditEntry::user)
                .containsExactly("write", "/f", "anonymous");
        assertThat(AuditEntries.of(req("PUT", "/api/v1/xattrs/f", null, null, null, 204), CAROL, "g", NOW)
                .orElseThrow().operation()).isEqualTo("set-xattr");
        assertThat(AuditEntries.of(req("DELETE", "/api/v1/xattrs/f", null, null, null, 204), CAROL, "g", NOW)
                .orElseThrow().operation()).isEqualTo("remove-xattr");
        assertThat(AuditEntries.of(req("POST", "/admin/v1/nodes", null, null, null, 201), CAROL, "g", NOW)
                .orElseThrow()).extracting(AuditEntry::frontEnd, AuditEntry::operation)
                .containsExactly("admin", "add-node");
        assertThat(AuditEntries.of(req("DELETE", "/admin/v1/nodes/n3", null, null, null, 200), CAROL, "g", NOW)
                .orElseThrow().operation()).isEqualTo("remove-node");
    }

    @Test
    void readsRefusalsAndOtherPathsAreNoChanges() {
        assertThat(AuditEntries.of(req("GET", "/api/v1/files/f", null, null, null, 200), CAROL, "g", NOW)).isEmpty();
        assertThat(AuditEntries.of(req("PROPFIND", "/dav/", null, null, null, 207), CAROL, "g", NOW)).isEmpty();
        assertThat(AuditEntries.of(req("PUT", "/api/v1/files/f", null, null, null, 403), CAROL, "g", NOW)).isEmpty();
        assertThat(AuditEntries.of(req("PUT", "/api/v1/files/f", null, null, null, 412), CAROL, "g", NOW)).isEmpty();
        assertThat(AuditEntries.of(req("POST", "/actuator/x", null, null, null, 200), CAROL, "g", NOW)).isEmpty();
    }
}
