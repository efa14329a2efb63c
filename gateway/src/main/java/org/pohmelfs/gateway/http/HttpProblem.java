package org.pohmelfs.gateway.http;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;

/** An HTTP-level refusal with a status and a reason, rendered as problem+json by REST. */
public class HttpProblem extends RuntimeException {
    private final HttpStatus status;
    private final String code;
    private final HttpHeaders headers = new HttpHeaders();

    public HttpProblem(HttpStatus status, String code, String detail) {
        super(detail);
        this.status = status;
        this.code = code;
    }

    public HttpStatus status() {
        return status;
    }

    public String code() {
        return code;
    }

    /** Headers the error response must carry (e.g. Content-Range with a 416). */
    public HttpHeaders headers() {
        return headers;
    }

    public HttpProblem withHeader(String name, String value) {
        headers.set(name, value);
        return this;
    }

    public static HttpProblem preconditionFailed(String detail) {
        return new HttpProblem(HttpStatus.PRECONDITION_FAILED, "PRECONDITION_FAILED", detail);
    }
}
