package org.pohmelfs.gateway.security;

import java.util.Set;
import org.springframework.http.HttpStatusCode;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Mono;

/**
 * Logs the refusals made after authentication, by the application rather than by Spring
 * Security: the read-only gateway, the REST API's 403s (the top of a confined user's view, a
 * node's "not permitted"), WebDAV's 403s. Security's own refusals (401, 429, a read-only user, not
 * an admin) are logged where they are made and not again here. One line each on
 * {@link RefusalLog#LOGGER}, with the reason the handler gave ({@link RefusalLog#because}), or a
 * general one naming the front end.
 */
public final class RefusalFilter implements WebFilter {
    private static final Set<Integer> REFUSALS = Set.of(401, 403, 429);

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        return chain.filter(exchange).then(Mono.defer(() -> {
            HttpStatusCode status = exchange.getResponse().getStatusCode();
            if (status == null || !REFUSALS.contains(status.value())
                    || exchange.getAttributes().containsKey(RefusalLog.LOGGED)) {
                return Mono.empty();
            }
            String given = exchange.getAttribute(RefusalLog.REASON);
            String path = exchange.getRequest().getPath().pathWithinApplication().value();
            String reason = given != null ? given : path.startsWith("/dav")
                    ? "refused by WebDAV (the top of the user's view, a move into itself)"
                    : "refused by the application";
            return exchange.getPrincipal().map(p -> p.getName()).defaultIfEmpty("")
                    .doOnNext(user -> RefusalLog.refuse(exchange, status.value(), user.isEmpty() ? null : user, reason))
                    .then();
        }));
    }
}
