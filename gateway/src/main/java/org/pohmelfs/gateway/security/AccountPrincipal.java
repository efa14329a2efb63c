package org.pohmelfs.gateway.security;

/**
 * A principal (or user details) that knows its {@link Account}. Whatever authenticates a
 * request puts such a principal into the {@code Authentication}; {@link Accounts} reads it.
 */
public interface AccountPrincipal {
    Account account();
}
