package org.pohmelfs.gateway.security;

import java.util.Collection;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.core.userdetails.User;

/** A Spring Security user that carries its {@link Account} (for HTTP Basic). */
public final class AccountUser extends User implements AccountPrincipal {
    private final Account account;

    public AccountUser(Account account, String passwordHash, Collection<? extends GrantedAuthority> authorities) {
        super(account.name(), passwordHash, authorities);
        this.account = account;
    }

    @Override
    public Account account() {
        return account;
    }

    @Override
    public boolean equals(Object o) {
        return super.equals(o);
    }

    @Override
    public int hashCode() {
        return super.hashCode();
    }
}
