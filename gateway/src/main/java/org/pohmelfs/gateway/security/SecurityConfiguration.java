package org.pohmelfs.gateway.security;

import java.util.ArrayList;
import com.github.benmanes.caffeine.cache.Ticker;
import java.time.Clock;
import java.util.List;
import java.util.Set;
import org.pohmelfs.gateway.config.GatewayProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpMethod;
import org.springframework.security.config.observation.SecurityObservationSettings;
import org.springframework.security.config.annotation.web.reactive.EnableWebFluxSecurity;
import org.springframework.security.config.web.server.ServerHttpSecurity;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.config.web.server.SecurityWebFiltersOrder;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.security.web.server.SecurityWebFilterChain;
import org.springframework.security.web.server.firewall.ServerWebExchangeFirewall;
import org.springframework.security.web.server.firewall.StrictServerWebExchangeFirewall;
import org.springframework.security.web.server.util.matcher.ServerWebExchangeMatcher;

/**
 * Optional authentication for the REST and WebDAV front ends: HTTP Basic or a bearer token
 * ({@link Authenticator}); users come from configuration and the users file
 * ({@link UserDirectory}), failed logins are throttled ({@link LoginThrottle}) and every
 * refusal is logged ({@link RefusalLog}). A read-only user may use only the methods that
 * change nothing. Health and metrics stay open for probes and scrapers. The
 * admin API always needs a user with {@code admin: true} (role ADMIN), even when the file API
 * is open.
 */
@Configuration(proxyBeanMethods = false)
@EnableWebFluxSecurity
public class SecurityConfiguration {
    /** Methods that change nothing. */
    public static final Set<String> SAFE_METHODS = Set.of("GET", "HEAD", "OPTIONS", "PROPFIND");

    /**
     * The admin API ({@code /admin/**}, docs/admin.md): Basic or a bearer token, and the role
     * ADMIN, always, whether or not {@code auth.enabled} protects the file API. Ordered before
     * the file chain.
     */
    @Bean
    @org.springframework.core.annotation.Order(org.springframework.core.Ordered.HIGHEST_PRECEDENCE)
    SecurityWebFilterChain adminChain(ServerHttpSecurity http, Authenticator authenticator, LoginThrottle throttle,
                                      ClientAddresses addresses) {
        WebAuthentication web = new WebAuthentication(authenticator, throttle, addresses, "POHMELFS admin");
        return stateless(http.securityMatcher(org.springframework.security.web.server.util.matcher.ServerWebExchangeMatchers
                        .pathMatchers("/admin/**")))
                .csrf(ServerHttpSecurity.CsrfSpec::disable)
                .formLogin(ServerHttpSecurity.FormLoginSpec::disable)
                .logout(ServerHttpSecurity.LogoutSpec::disable)
                .httpBasic(ServerHttpSecurity.HttpBasicSpec::disable)
                .addFilterBefore(web.throttleFilter(), SecurityWebFiltersOrder.HTTP_BASIC)
                .addFilterAt(web.credentialsFilter(), SecurityWebFiltersOrder.HTTP_BASIC)
                .exceptionHandling(e -> e.authenticationEntryPoint(web.entryPoint())
                        .accessDeniedHandler(web.accessDenied(a -> RefusalLog.NOT_AN_ADMIN)))
                .authorizeExchange(e -> e.anyExchange().hasRole("ADMIN"))
                .build();
    }

    @Bean
    @org.springframework.core.annotation.Order(org.springframework.core.Ordered.LOWEST_PRECEDENCE)
    SecurityWebFilterChain securityChain(ServerHttpSecurity http, GatewayProperties properties,
                                         Authenticator authenticator, LoginThrottle throttle, ClientAddresses addresses) {
        stateless(http).csrf(ServerHttpSecurity.CsrfSpec::disable)
                .formLogin(ServerHttpSecurity.FormLoginSpec::disable)
                .logout(ServerHttpSecurity.LogoutSpec::disable)
                .httpBasic(ServerHttpSecurity.HttpBasicSpec::disable)
                // Spring Security's default headers less Cache-Control (files carry their own
                // validators, ETag and Last-Modified), written by one writer (SecurityHeaders: cheaper)
                .headers(ServerHttpSecurity.HeaderSpec::disable)
                .addFilterAt(new org.springframework.security.web.server.header.HttpHeaderWriterWebFilter(
                        new SecurityHeaders()), SecurityWebFiltersOrder.HTTP_HEADERS_WRITER);
        if (!properties.auth().enabled()) {
            return http.authorizeExchange(e -> e.anyExchange().permitAll()).build();
        }
        WebAuthentication web = new WebAuthentication(authenticator, throttle, addresses, "POHMELFS");
        ServerWebExchangeMatcher safe = exchange -> SAFE_METHODS.contains(exchange.getRequest().getMethod().name())
                ? ServerWebExchangeMatcher.MatchResult.match() : ServerWebExchangeMatcher.MatchResult.notMatch();
        return http
                .addFilterBefore(web.throttleFilter(), SecurityWebFiltersOrder.HTTP_BASIC)
                .addFilterAt(web.credentialsFilter(), SecurityWebFiltersOrder.HTTP_BASIC)
                .exceptionHandling(e -> e.authenticationEntryPoint(web.entryPoint())
                        .accessDeniedHandler(web.accessDenied(a -> a.readOnly() ? RefusalLog.READ_ONLY_USER : "forbidden")))
                .authorizeExchange(e -> e
                        .pathMatchers("/actuator/health/**", "/actuator/health", "/actuator/prometheus").permitAll()
                        .matchers(safe).authenticated()
                        .anyExchange().hasRole("WRITER"))
                .build();
    }

    /**
     * No web session: every request carries its credentials (Basic or a bearer token), so the
     * security context is neither loaded from nor saved to a session, and no request is saved
     * for a replay after a login. Spring Security's defaults do both through
     * {@code exchange.getSession()}, which creates an in-memory session per request and, to make
     * its id, hops to the bounded-elastic scheduler and back: two thread hand-offs on every
     * request, the largest single cost of a hot WebDAV GET after the fast path.
     */
    static ServerHttpSecurity stateless(ServerHttpSecurity http) {
        return http.securityContextRepository(
                        org.springframework.security.web.server.context.NoOpServerSecurityContextRepository.getInstance())
                .requestCache(c -> c.requestCache(
                        org.springframework.security.web.server.savedrequest.NoOpServerRequestCache.getInstance()));
    }

    /** Confined users' roots are made on first use (see {@link ConfinedRoots}). */
    @Bean
    @org.springframework.core.annotation.Order(1) // after Spring Security (-100) and the read-only filter (0)
    org.springframework.web.server.WebFilter confinedRoots(org.pohmelfs.gateway.files.FileService files,
                                                           GatewayProperties properties) {
        return new ConfinedRoots(files, properties.auth().enabled());
    }

    /**
     * Spring Security's firewall refuses unknown HTTP methods with 400; WebDAV needs its own.
     * Everything else about the strict firewall (encoded slashes, path traversal) stays.
     */
    @Bean
    ServerWebExchangeFirewall firewall() {
        StrictServerWebExchangeFirewall firewall = new StrictServerWebExchangeFirewall();
        List<HttpMethod> methods = new ArrayList<>();
        for (String m : List.of("GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS",
                "PROPFIND", "PROPPATCH", "MKCOL", "COPY", "MOVE", "LOCK", "UNLOCK")) {
            methods.add(HttpMethod.valueOf(m));
        }
        firewall.setAllowedHttpMethods(methods);
        return firewall;
    }

    /**
     * No Micrometer observation around every security filter: with an ObservationRegistry
     * present, Spring Security wraps each filter of the chain in one (start, stop, meter
     * handlers), which was about 15 % of the gateway's CPU on hot WebDAV GETs. The request
     * itself is still observed (http.server.requests).
     */
    @Bean
    SecurityObservationSettings securityObservationSettings() {
        return SecurityObservationSettings.noObservations();
    }

    @Bean
    PasswordEncoder passwordEncoder(GatewayProperties properties) {
        return Passwords.encoder(properties.auth().allowNoopPasswords());
    }

    /** The configured users and the users file (polled for changes). */
    @Bean
    UserDirectory userDirectory(GatewayProperties properties) {
        UserDirectory directory = new UserDirectory(properties.auth());
        directory.start(properties.auth().reloadInterval());
        return directory;
    }

    /** Checks passwords and bearer tokens; being a ReactiveAuthenticationManager, Boot adds no default user. */
    @Bean
    Authenticator authenticator(UserDirectory users, PasswordEncoder encoder, GatewayProperties properties) {
        return new Authenticator(users, encoder, new VerificationCache(properties.auth().verificationCache(), 100_000),
                Clock.systemUTC());
    }

    @Bean
    LoginThrottle loginThrottle(GatewayProperties properties) {
        return new LoginThrottle(properties.auth().throttle(), Ticker.systemTicker());
    }

    @Bean
    ClientAddresses clientAddresses(GatewayProperties properties) {
        return new ClientAddresses(properties.auth().trustedProxies());
    }

    /** The roles of an account: READER always, WRITER unless read-only, ADMIN for admins. */
    public static List<GrantedAuthority> authorities(Account account) {
        List<GrantedAuthority> roles = new ArrayList<>();
        roles.add(new SimpleGrantedAuthority("ROLE_READER"));
        if (!account.readOnly()) {
            roles.add(new SimpleGrantedAuthority("ROLE_WRITER"));
        }
        if (account.admin()) {
            roles.add(new SimpleGrantedAuthority("ROLE_ADMIN"));
        }
        return roles;
    }
}
