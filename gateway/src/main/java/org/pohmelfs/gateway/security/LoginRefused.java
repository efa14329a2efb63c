package org.pohmelfs.gateway.security;

import org.springframework.security.authentication.BadCredentialsException;

/**
 * Credentials that did not authenticate, with the reason for the refusal log
 * ({@link RefusalLog}) and the user name the client gave (null if none is known).
 */
public final class LoginRefused extends BadCredentialsException {
    private final String reason;
    private final String user;
    private final boolean bearer;

    LoginRefused(String reason, String user, boolean bearer) {
        super(reason);
        this.reason = reason;
        this.user = user;
        this.bearer = bearer;
    }

    public String reason() {
        return reason;
    }

    public String user() {
        return user;
    }

    /** Whether the refused credentials were a bearer token (the challenge says invalid_token). */
    public boolean bearer() {
        return bearer;
    }
}
