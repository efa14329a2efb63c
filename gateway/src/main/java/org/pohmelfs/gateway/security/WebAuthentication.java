package org.pohmelfs.gateway.security;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Optional;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.security.core.Authentication;
import org.springframework.security.web.server.ServerAuthenticationEntryPoint;
import org.springframework.security.web.server.authentication.AuthenticationWebFilter;
import org.springframework.security.web.server.authentication.ServerAuthenticationConverter;
import org.springframework.security.web.server.authentication.ServerHttpBasicAuthenticationConverter;
import org.springframework.security.web.server.authorization.ServerAccessDeniedHandler;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import reactor.core.publisher.Mono;

/**
 * The web side of authentication, for one security chain (realm): the throttle filter (429
 * before any credential is checked), the credentials filter (Basic or Bearer, through the
 * {@link Authenticator}), the 401 entry point and the 403 handler. Every refusal goes to the
 * {@link RefusalLog}.
 */
public final class WebAuthentication {
    private final Authenticator authenticator;
    private final LoginThrottle throttle;
    private final ClientAddresses addresses;
    private final String realm;

    public WebAuthentication(Authenticator authenticator, LoginThrottle throttle, ClientAddresses addresses,
                             String realm) {
        this.authenticator = authenticator;
        this.throttle = throttle;
        this.addresses = addresses;
        this.realm = realm;
    }

    /** Refuses requests with credentials from a throttled address or for a throttled user. */
    public WebFilter throttleFilter() {
        return (exchange, chain) -> {
            String authorization = exchange.getRequest().getHeaders().getFirst(HttpHeaders.AUTHORIZATION);
            if (authorization == null) {
                return chain.filter(exchange);
            }
            String user = basicUser(authorization);
            String address = addresses.resolve(exchange);
            Optional<Duration> wait = throttle.refusedFor(address, user);
            if (wait.isEmpty()) {
                return chain.filter(exchange);
            }
            RefusalLog.refuse(exchange, 429, user, RefusalLog.THROTTLED);
            long seconds = Math.max(1, (wait.get().toMillis() + 999) / 1000);
            exchange.getResponse().setStatusCode(HttpStatus.TOO_MANY_REQUESTS);
            exchange.getResponse().getHeaders().set(HttpHeaders.RETRY_AFTER, Long.toString(seconds));
            return exchange.getResponse().setComplete();
        };
    }

    /** Authenticates {@code Authorization: Basic} and {@code Authorization: Bearer}. */
    public AuthenticationWebFilter credentialsFilter() {
        AuthenticationWebFilter filter = new AuthenticationWebFilter(authenticator);
        filter.setServerAuthenticationConverter(converter());
        filter.setAuthenticationFailureHandler((webExchange, e) -> {
            ServerWebExchange exchange = webExchange.getExchange();
            String address = addresses.resolve(exchange);
            if (e instanceof LoginRefused refused) {
                // A refused token counts for the address only: a forgotten script still sending an
                // expired token must not lock its user out everywhere.
                throttle.failed(address, refused.bearer() ? null : refused.user());
                RefusalLog.refuse(exchange, 401, refused.user(), refused.reason());
                return challenge(exchange, refused.bearer() ? refused.reason() : null);
            }
            throttle.failed(address, null);
            RefusalLog.refuse(exchange, 401, null, "bad credentials");
            return challenge(exchange, null);
        });
        filter.setAuthenticationSuccessHandler((webExchange, authentication) -> {
            if (!(authentication instanceof BearerToken)) {
                throttle.succeeded(addresses.resolve(webExchange.getExchange()), authentication.getName());
            }
            return webExchange.getChain().filter(webExchange.getExchange());
        });
        return filter;
    }

    /** 401 for a request without credentials where they are needed. */
    public ServerAuthenticationEntryPoint entryPoint() {
        return (exchange, e) -> {
            RefusalLog.refuse(exchange, 401, null, RefusalLog.NO_CREDENTIALS);
            return challenge(exchange, null);
        };
    }

    /** 403 for an authenticated request its account may not make; {@code reason} for the log. */
    public ServerAccessDeniedHandler accessDenied(java.util.function.Function<Account, String> reason) {
        return (exchange, denied) -> exchange.getPrincipal()
                .map(p -> p instanceof Authentication a ? Accounts.of(a) : Account.ANONYMOUS)
                .defaultIfEmpty(Account.ANONYMOUS)
                .flatMap(account -> {
                    RefusalLog.refuse(exchange, 403, account.name(), reason.apply(account));
                    exchange.getResponse().setStatusCode(HttpStatus.FORBIDDEN);
                    return exchange.getResponse().setComplete();
                });
    }

    private Mono<Void> challenge(ServerWebExchange exchange, String tokenError) {
        exchange.getResponse().setStatusCode(HttpStatus.UNAUTHORIZED);
        String header = tokenError == null
                ? "Basic realm=\"" + realm + "\""
                : "Bearer realm=\"" + realm + "\", error=\"invalid_token\", error_description=\"" + tokenError + "\"";
        exchange.getResponse().getHeaders().set(HttpHeaders.WWW_AUTHENTICATE, header);
        return exchange.getResponse().setComplete();
    }

    private static ServerAuthenticationConverter converter() {
        ServerHttpBasicAuthenticationConverter basic = new ServerHttpBasicAuthenticationConverter();
        return exchange -> {
            String authorization = exchange.getRequest().getHeaders().getFirst(HttpHeaders.AUTHORIZATION);
            if (authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
                return Mono.just(new BearerToken(authorization.substring(7).trim()));
            }
            return basic.convert(exchange);
        };
    }

    /** The user name of a Basic header; null for other schemes or a malformed header. */
    static String basicUser(String authorization) {
        if (!authorization.regionMatches(true, 0, "Basic ", 0, 6)) {
            return null;
        }
        try {
            String decoded = new String(Base64.getDecoder().decode(authorization.substring(6).trim()),
                    StandardCharsets.UTF_8);
            int colon = decoded.indexOf(':');
            return colon < 0 ? null : decoded.substring(0, colon);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
