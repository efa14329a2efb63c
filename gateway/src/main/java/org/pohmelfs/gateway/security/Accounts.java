package org.pohmelfs.gateway.security;

import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.ReactiveSecurityContextHolder;
import org.springframework.security.core.context.SecurityContext;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/** The {@link Account} a request runs as. */
public final class Accounts {
    private Accounts() {
    }

    /** The account of an authentication; {@link Account#ANONYMOUS} when there is none. */
    public static Account of(Authentication authentication) {
        if (authentication == null || !authentication.isAuthenticated()) {
            return Account.ANONYMOUS;
        }
        if (authentication.getPrincipal() instanceof AccountPrincipal p) {
            return p.account();
        }
        return Account.ANONYMOUS;
    }

    /** The account of the request being served (from the reactive security context). */
    public static Mono<Account> current() {
        return ReactiveSecurityContextHolder.getContext()
                .map(SecurityContext::getAuthentication)
                .map(Accounts::of)
                .defaultIfEmpty(Account.ANONYMOUS);
    }

    /** The account of {@code exchange}'s principal. */
    public static Mono<Account> of(ServerWebExchange exchange) {
        return exchange.getPrincipal()
                .map(p -> p instanceof Authentication a ? of(a) : Account.ANONYMOUS)
                .defaultIfEmpty(Account.ANONYMOUS);
    }
}
