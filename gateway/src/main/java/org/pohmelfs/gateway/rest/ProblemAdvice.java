package org.pohmelfs.gateway.rest;

import org.pohmelfs.client.NodeException;
import org.pohmelfs.gateway.files.FileException;
import org.pohmelfs.gateway.http.HttpErrors;
import org.pohmelfs.gateway.http.HttpProblem;
import org.pohmelfs.protocol.ObjectPath;
import org.pohmelfs.gateway.security.Accounts;
import org.pohmelfs.gateway.security.PathView;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.pohmelfs.gateway.security.RefusalLog;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;

/** Renders every failure of the REST API as RFC 9457 problem+json with the right status. */
@RestControllerAdvice(assignableTypes = FilesController.class)
class ProblemAdvice {
    private static final Logger log = LoggerFactory.getLogger(ProblemAdvice.class);

    @ExceptionHandler
    Mono<ResponseEntity<ProblemDetail>> file(FileException e, ServerWebExchange exchange) {
        return hidden(exchange, e.getMessage())
                .doOnNext(m -> {
                    if (HttpErrors.status(e.code()) == HttpStatus.FORBIDDEN) {
                        RefusalLog.because(exchange, e.code().name() + ": " + m);
                    }
                })
                .map(m -> problem(HttpErrors.status(e.code()), e.code().name(), m, null));
    }

    @ExceptionHandler
    Mono<ResponseEntity<ProblemDetail>> path(ObjectPath.InvalidPathException e, ServerWebExchange exchange) {
        return hidden(exchange, e.getMessage())
                .map(m -> problem(HttpErrors.status(e.code()), e.code().name(), m, null));
    }

    @ExceptionHandler
    Mono<ResponseEntity<ProblemDetail>> http(HttpProblem e, ServerWebExchange exchange) {
        return hidden(exchange, e.getMessage())
                .doOnNext(m -> {
                    if (e.status() == HttpStatus.FORBIDDEN) {
                        RefusalLog.because(exchange, e.code() + ": " + m);
                    }
                })
                .map(m -> problem(e.status(), e.code(), m, e.headers()));
    }

    /** The message as the request's user may see it: real paths in its view ({@link PathView#hide}). */
    private static Mono<String> hidden(ServerWebExchange exchange, String message) {
        return Accounts.of(exchange).map(a -> String.valueOf(PathView.of(a).hide(message)));
    }

    /** A node refused this gateway's handshake (or this gateway the node's): 502, a configuration fault. */
    @ExceptionHandler
    ResponseEntity<ProblemDetail> refused(NodeException.HandshakeRefused e) {
        log.warn("storage node refused: {}", e.getMessage());
        return problem(HttpStatus.BAD_GATEWAY, "NODE_REFUSED", "storage node refused the connection: " + e.getMessage(),
                null);
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
