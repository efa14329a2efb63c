package org.pohmelfs.gateway.rest;

import org.pohmelfs.client.NodeException;
import org.pohmelfs.gateway.files.FileException;
import org.pohmelfs.gateway.http.HttpErrors;
import org.pohmelfs.gateway.http.HttpProblem;
import org.pohmelfs.protocol.ObjectPath;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;

/** Renders every failure of the REST API as RFC 9457 problem+json with the right status. */
@RestControllerAdvice(assignableTypes = FilesController.class)
class ProblemAdvice {
    private static final Logger log = LoggerFactory.getLogger(ProblemAdvice.class);

    @ExceptionHandler
    ResponseEntity<ProblemDetail> file(FileException e) {
        return problem(HttpErrors.status(e.code()), e.code().name(), e.getMessage(), null);
    }

    @ExceptionHandler
    ResponseEntity<ProblemDetail> path(ObjectPath.InvalidPathException e) {
        return problem(HttpErrors.status(e.code()), e.code().name(), e.getMessage(), null);
    }

    @ExceptionHandler
    ResponseEntity<ProblemDetail> http(HttpProblem e) {
        return problem(e.status(), e.code(), e.getMessage(), e.headers());
    }

    @ExceptionHandler
    ResponseEntity<ProblemDetail> node(NodeException e) {
        log.warn("storage node unavailable: {}", e.getMessage());
        return problem(HttpStatus.SERVICE_UNAVAILABLE, "NODE_UNAVAILABLE", "storage node unavailable: " + e.getMessage(),
                null);
    }

    static ResponseEntity<ProblemDetail> problem(HttpStatus status, String code, String detail, HttpHeaders headers) {
        ProblemDetail p = ProblemDetail.forStatusAndDetail(status, detail);
        p.setProperty("code", code);
        ResponseEntity.BodyBuilder b = ResponseEntity.status(status);
        if (headers != null) {
            b.headers(headers);
        }
        return b.body(p);
    }
}
