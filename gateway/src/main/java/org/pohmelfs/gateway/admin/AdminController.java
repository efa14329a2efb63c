package org.pohmelfs.gateway.admin;

import java.net.URI;
import org.pohmelfs.cluster.ClusterMapJson;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Mono;

/**
 * The admin API (docs/admin.md), role ADMIN only: {@code GET /admin/v1/nodes} (the members,
 * their state, liveness, usage and resync progress), {@code GET /admin/v1/nodes/{id}},
 * {@code POST /admin/v1/nodes} (add: joins RESYNCING; 201 with Location),
 * {@code DELETE /admin/v1/nodes/{id}} (remove), {@code GET /admin/v1/map} (the stored form of
 * the map in use, with its epoch). Errors are problem+json ({@link AdminProblemAdvice}).
 */
@RestController
@RequestMapping("/admin/v1")
class AdminController {
    private final Membership membership;

    AdminController(Membership membership) {
        this.membership = membership;
    }

    @GetMapping("/nodes")
    Mono<AdminViews.Nodes> nodes() {
        return membership.nodes();
    }

    @GetMapping("/nodes/{id}")
    Mono<ResponseEntity<AdminViews.Node>> node(@PathVariable String id) {
        return membership.node(id).map(ResponseEntity::ok)
                .switchIfEmpty(Mono.error(() -> new org.pohmelfs.cluster.MapChangeRefused(
                        org.pohmelfs.cluster.MapChangeRefused.Reason.UNKNOWN_MEMBER, "no member " + id)));
    }

    @PostMapping("/nodes")
    Mono<ResponseEntity<AdminViews.Node>> add(@RequestBody AdminViews.NewNode body) {
        return membership.add(body.id(), body.address())
                .then(membership.node(body.id()))
                .map(v -> ResponseEntity.created(URI.create("/admin/v1/nodes/" + v.id())).body(v));
    }

    @DeleteMapping("/nodes/{id}")
    Mono<AdminViews.Removed> remove(@PathVariable String id) {
        return membership.remove(id);
    }

    @GetMapping(value = "/map", produces = MediaType.APPLICATION_JSON_VALUE)
    byte[] map() {
        return ClusterMapJson.encode(membership.map());
    }
}
