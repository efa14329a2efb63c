package org.pohmelfs.gateway.security;

import java.util.List;
import org.springframework.security.authentication.AbstractAuthenticationToken;

/**
 * A bearer token: unauthenticated as it comes from {@code Authorization: Bearer ...};
 * authenticated, its principal is a {@link TokenPrincipal} (the token's user's account).
 */
public final class BearerToken extends AbstractAuthenticationToken {
    private final String token;
    private final TokenPrincipal principal;

    /** As sent by the client. */
    public BearerToken(String token) {
        super(List.of());
        this.token = token;
        this.principal = null;
    }

    BearerToken(TokenPrincipal principal) {
        super(SecurityConfiguration.authorities(principal.account()));
        this.token = null;
        this.principal = principal;
        setAuthenticated(true);
    }

    @Override
    public Object getCredentials() {
        return token;
    }

    @Override
    public Object getPrincipal() {
        return principal;
    }

    @Override
    public String getName() {
        return principal == null ? "" : principal.account().name();
    }

    @Override
    public boolean equals(Object o) {
        return super.equals(o);
    }

    @Override
    public int hashCode() {
        return super.hashCode();
    }

    /** The principal of an authenticated token: its user's account and the token's id. */
    public record TokenPrincipal(Account account, String tokenId) implements AccountPrincipal, java.security.Principal {
        @Override
        public String getName() {
            return account.name();
        }
    }
}
