package org.pohmelfs.gateway.security;

import java.time.Clock;
import java.time.Instant;
import java.util.Optional;
import org.springframework.security.authentication.ReactiveAuthenticationManager;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.Authentication;
import org.springframework.security.crypto.password.PasswordEncoder;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * Checks credentials against the {@link UserDirectory}: a user name and password (HTTP Basic)
 * or a {@link BearerToken}. Success: an Authentication whose principal is an
 * {@link AccountPrincipal}. Failure: {@link LoginRefused} with the reason.
 *
 * <p>A password check that misses the {@link VerificationCache} runs the KDF on the bounded
 * elastic scheduler, never on the event loop. An unknown user costs the same KDF (against a
 * fixed hash), so the time of an answer does not tell which names exist.
 */
public final class Authenticator implements ReactiveAuthenticationManager {
    private final UserDirectory users;
    private final PasswordEncoder encoder;
    private final VerificationCache cache;
    private final Clock clock;
    private final String dummyHash;

    Authenticator(UserDirectory users, PasswordEncoder encoder, VerificationCache cache, Clock clock) {
        this.users = users;
        this.encoder = encoder;
        this.cache = cache;
        this.clock = clock;
        this.dummyHash = encoder.encode("not a password of anyone");
        users.onChange(cache::clear);
    }

    @Override
    public Mono<Authentication> authenticate(Authentication authentication) {
        if (authentication instanceof BearerToken bearer) {
            return Mono.fromCallable(() -> token((String) bearer.getCredentials()));
        }
        String name = authentication.getName();
        Object credentials = authentication.getCredentials();
        String password = credentials == null ? "" : credentials.toString();
        Directory.Entry entry = users.current().user(name);
        if (entry == null) {
            return Mono.fromCallable(() -> encoder.matches(password, dummyHash))
                    .subscribeOn(Schedulers.boundedElastic())
                    .then(Mono.error(new LoginRefused(RefusalLog.UNKNOWN_USER, name, false)));
        }
        if (cache.known(name, password, entry.passwordHash())) {
            return Mono.fromCallable(() -> success(entry));
        }
        return Mono.fromCallable(() -> encoder.matches(password, entry.passwordHash()))
                .subscribeOn(Schedulers.boundedElastic())
                .flatMap(ok -> {
                    if (!ok) {
                        return Mono.error(new LoginRefused(RefusalLog.BAD_PASSWORD, name, false));
                    }
                    Authentication done = success(entry);
                    cache.remember(name, password, entry.passwordHash());
                    return Mono.just(done);
                });
    }

    private static Authentication success(Directory.Entry entry) {
        if (entry.disabled()) {
            throw new LoginRefused(RefusalLog.DISABLED_USER, entry.account().name(), false);
        }
        Account account = entry.account();
        AccountUser user = new AccountUser(account, "", SecurityConfiguration.authorities(account));
        return UsernamePasswordAuthenticationToken.authenticated(user, null, user.getAuthorities());
    }

    private Authentication token(String text) {
        Optional<Tokens.Parsed> parsed = Tokens.parse(text);
        Directory directory = users.current();
        UsersFile.Token token = parsed.map(p -> directory.token(p.id())).orElse(null);
        if (token == null || !Tokens.matches(parsed.get().secret(), token.sha256())) {
            throw new LoginRefused(RefusalLog.UNKNOWN_TOKEN, null, true);
        }
        if (token.revoked()) {
            throw new LoginRefused(RefusalLog.TOKEN_REVOKED, token.user(), true);
        }
        Instant now = clock.instant();
        if (token.expires() != null && !now.isBefore(token.expires())) {
            throw new LoginRefused(RefusalLog.TOKEN_EXPIRED, token.user(), true);
        }
        Directory.Entry entry = directory.user(token.user());
        if (entry == null) {
            throw new LoginRefused(RefusalLog.UNKNOWN_USER, token.user(), true);
        }
        if (entry.disabled()) {
            throw new LoginRefused(RefusalLog.DISABLED_USER, token.user(), true);
        }
        return new BearerToken(new BearerToken.TokenPrincipal(entry.account(), token.id()));
    }
}
