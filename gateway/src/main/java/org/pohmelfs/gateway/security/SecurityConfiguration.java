package org.pohmelfs.gateway.security;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Map;
import java.util.List;
import java.util.Set;
import org.pohmelfs.gateway.config.GatewayProperties;
import org.pohmelfs.protocol.ObjectPath;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpMethod;
import org.springframework.security.config.observation.SecurityObservationSettings;
import org.springframework.security.config.annotation.web.reactive.EnableWebFluxSecurity;
import org.springframework.security.config.web.server.ServerHttpSecurity;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.core.userdetails.ReactiveUserDetailsService;
import org.springframework.security.crypto.factory.PasswordEncoderFactories;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.security.web.server.SecurityWebFilterChain;
import org.springframework.security.web.server.firewall.ServerWebExchangeFirewall;
import org.springframework.security.web.server.firewall.StrictServerWebExchangeFirewall;
import org.springframework.security.web.server.authentication.HttpBasicServerAuthenticationEntryPoint;
import org.springframework.security.web.server.util.matcher.ServerWebExchangeMatcher;
import reactor.core.publisher.Mono;

/**
 * Optional HTTP Basic authentication for the REST and WebDAV front ends. Users come from
 * configuration with hashed passwords ({@code {bcrypt}...}); a read-only user may use only
 * the methods that change nothing. Health and metrics stay open for probes and scrapers. The
 * admin API always needs a user with {@code admin: true} (role ADMIN), even when the file API
 * is open.
 */
@Configuration(proxyBeanMethods = false)
@EnableWebFluxSecurity
public class SecurityConfiguration {
    /** Methods that change nothing. */
    public static final Set<String> SAFE_METHODS = Set.of("GET", "HEAD", "OPTIONS", "PROPFIND");

    /**
     * The admin API ({@code /admin/**}, docs/admin.md): HTTP Basic and the role ADMIN, always,
     * whether or not {@code auth.enabled} protects the file API. Ordered before the file chain.
     */
    @Bean
    @org.springframework.core.annotation.Order(org.springframework.core.Ordered.HIGHEST_PRECEDENCE)
    SecurityWebFilterChain adminChain(ServerHttpSecurity http) {
        HttpBasicServerAuthenticationEntryPoint entryPoint = new HttpBasicServerAuthenticationEntryPoint();
        entryPoint.setRealm("POHMELFS admin");
        return http.securityMatcher(org.springframework.security.web.server.util.matcher.ServerWebExchangeMatchers
                        .pathMatchers("/admin/**"))
                .csrf(ServerHttpSecurity.CsrfSpec::disable)
                .formLogin(ServerHttpSecurity.FormLoginSpec::disable)
                .logout(ServerHttpSecurity.LogoutSpec::disable)
                .httpBasic(b -> b.authenticationEntryPoint(entryPoint))
                .exceptionHandling(e -> e.authenticationEntryPoint(entryPoint))
                .authorizeExchange(e -> e.anyExchange().hasRole("ADMIN"))
                .build();
    }

    @Bean
    @org.springframework.core.annotation.Order(org.springframework.core.Ordered.LOWEST_PRECEDENCE)
    SecurityWebFilterChain securityChain(ServerHttpSecurity http, GatewayProperties properties) {
        http.csrf(ServerHttpSecurity.CsrfSpec::disable)
                .formLogin(ServerHttpSecurity.FormLoginSpec::disable)
                .logout(ServerHttpSecurity.LogoutSpec::disable)
                // Files carry their own validators (ETag, Last-Modified): no blanket no-cache headers.
                .headers(h -> h.cache(ServerHttpSecurity.HeaderSpec.CacheSpec::disable));
        if (!properties.auth().enabled()) {
            return http.authorizeExchange(e -> e.anyExchange().permitAll()).build();
        }
        HttpBasicServerAuthenticationEntryPoint entryPoint = new HttpBasicServerAuthenticationEntryPoint();
        entryPoint.setRealm("POHMELFS");
        ServerWebExchangeMatcher safe = exchange -> SAFE_METHODS.contains(exchange.getRequest().getMethod().name())
                ? ServerWebExchangeMatcher.MatchResult.match() : ServerWebExchangeMatcher.MatchResult.notMatch();
        return http
                .httpBasic(b -> b.authenticationEntryPoint(entryPoint))
                .exceptionHandling(e -> e.authenticationEntryPoint(entryPoint))
                .authorizeExchange(e -> e
                        .pathMatchers("/actuator/health/**", "/actuator/health", "/actuator/prometheus").permitAll()
                        .matchers(safe).authenticated()
                        .anyExchange().hasRole("WRITER"))
                .build();
    }

    /** Confined users' roots are made on first use (see {@link ConfinedRoots}). */
    @Bean
    @org.springframework.core.annotation.Order(1) // after Spring Security (-100) and the read-only filter (0)
    org.springframework.web.server.WebFilter confinedRoots(org.pohmelfs.gateway.files.FileService files) {
        return new ConfinedRoots(files);
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
    PasswordEncoder passwordEncoder() {
        return PasswordEncoderFactories.createDelegatingPasswordEncoder();
    }

    @Bean
    ReactiveUserDetailsService users(GatewayProperties properties) {
        Map<String, AccountUser> users = new HashMap<>();
        for (GatewayProperties.User u : properties.auth().users()) {
            if (u.password() == null || !u.password().startsWith("{")) {
                throw new IllegalStateException("user '" + u.name() + "': the password must be stored hashed, e.g. "
                        + "{bcrypt}$2a$10$... (see README)");
            }
            Account account = new Account(u.name(), u.readOnly(), u.admin(), ObjectPath.parse(u.root()));
            users.put(u.name(), new AccountUser(account, u.password(), authorities(account)));
        }
        // A fresh copy per lookup: the authentication manager may erase the credentials it holds.
        return name -> Mono.justOrEmpty(users.get(name))
                .map(u -> new AccountUser(u.account(), u.getPassword(), u.getAuthorities()));
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
