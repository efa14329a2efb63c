package org.pohmelfs.gateway.audit;

import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.concurrent.atomic.AtomicLong;
import org.pohmelfs.gateway.security.Accounts;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpRequestDecorator;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Writes one audit line per change once its answer is complete ({@link AuditEntries} decides).
 * Runs after Spring Security (a refused request never gets here) and before the WebDAV adapter
 * (which answers without passing the request on); counts the request body's bytes as they are
 * read.
 */
public final class AuditFilter implements WebFilter {
    private final AuditLog log;
    private final String gateway;
    private final Clock clock;

    public AuditFilter(AuditLog log, String gateway, Clock clock) {
        this.log = log;
        this.gateway = gateway;
        this.clock = clock;
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        ServerHttpRequest request = exchange.getRequest();
        if (org.pohmelfs.gateway.security.SecurityConfiguration.SAFE_METHODS.contains(request.getMethod().name())) {
            return chain.filter(exchange);
        }
        AtomicLong bytes = new AtomicLong();
        ServerHttpRequest counted = new ServerHttpRequestDecorator(request) {
            @Override
            public Flux<DataBuffer> getBody() {
                return super.getBody().doOnNext(b -> bytes.addAndGet(b.readableByteCount()));
            }
        };
        ServerWebExchange next = exchange.mutate().request(counted).build();
        return chain.filter(next).then(Mono.defer(() -> Accounts.of(next).doOnNext(account -> {
            HttpStatusCode status = next.getResponse().getStatusCode();
            InetSocketAddress remote = request.getRemoteAddress();
            var answered = new AuditEntries.Answered(request.getMethod().name(),
                    request.getPath().pathWithinApplication().value(),
                    request.getQueryParams().getFirst("action"), request.getQueryParams().getFirst("to"),
                    request.getHeaders().getFirst("Destination"),
                    remote == null ? null : remote.getAddress() == null ? remote.getHostString()
                            : remote.getAddress().getHostAddress(),
                    status == null ? 200 : status.value(), bytes.get());
            AuditEntries.of(answered, account, gateway, clock.instant()).ifPresent(log::write);
        }).then()));
    }
}
