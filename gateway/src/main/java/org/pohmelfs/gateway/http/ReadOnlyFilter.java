package org.pohmelfs.gateway.http;

import java.nio.charset.StandardCharsets;
import org.pohmelfs.gateway.security.SecurityConfiguration;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Mono;

/** In read-only mode, refuses every method that could change files with 403 problem+json. */
public final class ReadOnlyFilter implements WebFilter {
    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        String path = exchange.getRequest().getPath().pathWithinApplication().value();
        boolean files = path.startsWith("/api/") || path.startsWith("/dav");
        if (!files || SecurityConfiguration.SAFE_METHODS.contains(exchange.getRequest().getMethod().name())) {
            return chain.filter(exchange);
        }
        org.pohmelfs.gateway.security.RefusalLog.because(exchange, org.pohmelfs.gateway.security.RefusalLog.READ_ONLY_GATEWAY);
        var response = exchange.getResponse();
        response.setStatusCode(HttpStatus.FORBIDDEN);
        response.getHeaders().setContentType(MediaType.APPLICATION_PROBLEM_JSON);
        byte[] body = ("{\"type\":\"about:blank\",\"title\":\"Forbidden\",\"status\":403,"
                + "\"detail\":\"this gateway is read-only\",\"code\":\"READ_ONLY\"}").getBytes(StandardCharsets.UTF_8);
        DataBuffer buffer = response.bufferFactory().wrap(body);
        return response.writeWith(Mono.just(buffer));
    }
}
