package org.pohmelfs.gateway.admin;

import org.pohmelfs.cluster.MapChangeRefused;
import org.pohmelfs.gateway.replication.MapSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.server.ResponseStatusException;

/**
 * The admin API's failures as RFC 9457 problem+json with a {@code code}, like the REST API:
 * an unknown member 404; a refused change (it would leave no IN_SYNC member, a duplicate id or
 * address, a wrong state) 409 with the map's reason as code; a static node list 409
 * {@code STATIC_MAP}; a malformed request 400; anything else (ZooKeeper unreachable) 503.
 */
@RestControllerAdvice(assignableTypes = AdminController.class)
class AdminProblemAdvice {
    private static final Logger log = LoggerFactory.getLogger(AdminProblemAdvice.class);

    @ExceptionHandler
    ResponseEntity<ProblemDetail> refused(MapChangeRefused e) {
        HttpStatus status = e.reason() == MapChangeRefused.Reason.UNKNOWN_MEMBER ? HttpStatus.NOT_FOUND
                : HttpStatus.CONFLICT;
        return problem(status, e.reason().name(), e.getMessage());
    }

    @ExceptionHandler
    ResponseEntity<ProblemDetail> fixed(MapSource.ChangeUnsupported e) {
        return problem(HttpStatus.CONFLICT, "STATIC_MAP", e.getMessage());
    }

    @ExceptionHandler
    ResponseEntity<ProblemDetail> invalid(IllegalArgumentException e) {
        return problem(HttpStatus.BAD_REQUEST, "INVALID_ARGUMENT", e.getMessage());
    }

    /** Spring's own refusals (a malformed body 400, a wrong media type 415, ...) keep their status. */
    @ExceptionHandler
    ResponseEntity<ProblemDetail> web(ResponseStatusException e) {
        HttpStatus status = HttpStatus.resolve(e.getStatusCode().value());
        if (status == null) {
            status = HttpStatus.BAD_REQUEST;
        }
        return problem(status, status == HttpStatus.BAD_REQUEST ? "INVALID_ARGUMENT" : status.name(),
                e.getReason() == null ? status.getReasonPhrase() : e.getReason());
    }

    @ExceptionHandler
    ResponseEntity<ProblemDetail> other(Exception e) {
        log.warn("admin request failed: {}", e.toString());
        return problem(HttpStatus.SERVICE_UNAVAILABLE, "UNAVAILABLE", "the cluster map could not be read or changed: "
                + e.getMessage());
    }

    private static ResponseEntity<ProblemDetail> problem(HttpStatus status, String code, String detail) {
        ProblemDetail p = ProblemDetail.forStatusAndDetail(status, detail);
        p.setProperty("code", code);
        return ResponseEntity.status(status).contentType(org.springframework.http.MediaType.APPLICATION_PROBLEM_JSON)
                .body(p);
    }
}
