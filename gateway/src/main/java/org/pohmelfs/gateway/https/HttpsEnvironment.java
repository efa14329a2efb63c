package org.pohmelfs.gateway.https;

import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.core.Ordered;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;

/**
 * Turns {@code pohmelfs.gateway.https.certificate} and {@code private-key} into Spring Boot's
 * SSL bundle {@value #BUNDLE} (PEM, {@code reload-on-update: true}) and points
 * {@code server.ssl.bundle} at it, so the one obvious way to run HTTPS is two file names. Runs
 * after the configuration files are read; the keys it sets are added last, so an operator who
 * writes the {@code spring.ssl.*} or {@code server.ssl.*} keys himself still wins.
 *
 * <p>Reload: Boot's file watcher sees the files change (after a quiet period,
 * {@code spring.ssl.bundle.watch.file.quiet-period}), builds a new bundle, and Reactor Netty's
 * {@code SslServerCustomizer} hands the new context to every new TLS connection (its SNI
 * mapping is asked on every handshake, with or without SNI). Connections already open keep
 * the old certificate. With {@code verify-keys}, a new pair whose key does not match its
 * certificate is refused ("Unexpected SSL reload error", logged by Boot's file watcher) and the
 * pair in use stays.
 */
public class HttpsEnvironment implements EnvironmentPostProcessor, Ordered {
    /** The SSL bundle's name. */
    public static final String BUNDLE = "pohmelfs-https";
    static final String SOURCE = "pohmelfsHttps";

    @Override
    public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
        HttpsProperties https = Binder.get(environment).bind("pohmelfs.gateway.https", HttpsProperties.class)
                .orElse(null);
        if (https == null) {
            return;
        }
        Map<String, Object> keys = springProperties(https);
        if (!keys.isEmpty()) {
            environment.getPropertySources().addLast(new MapPropertySource(SOURCE, keys));
        }
    }

    /**
     * The Spring Boot keys for these settings: none when HTTPS is off. Fails when only one of the
     * two files is named, or a plain listener is asked for without HTTPS.
     */
    static Map<String, Object> springProperties(HttpsProperties https) {
        if ((https.certificate() == null) != (https.privateKey() == null)) {
            throw new IllegalStateException("pohmelfs.gateway.https: set both certificate and private-key "
                    + "(PEM files) to serve HTTPS, or neither");
        }
        if (!https.enabled()) {
            if (https.plainPort() != null) {
                throw new IllegalStateException("pohmelfs.gateway.https.plain-port is set but HTTPS is off: "
                        + "set pohmelfs.gateway.https.certificate and private-key (server.port serves plain HTTP "
                        + "without them)");
            }
            return Map.of();
        }
        String prefix = "spring.ssl.bundle.pem." + BUNDLE + ".";
        Map<String, Object> keys = new LinkedHashMap<>();
        keys.put(prefix + "keystore.certificate", "file:" + https.certificate().toAbsolutePath());
        keys.put(prefix + "keystore.private-key", "file:" + https.privateKey().toAbsolutePath());
        // A key that does not belong to the certificate (say, the new certificate read with the old key)
        // fails the start, and on reload is refused (logged) while the pair in use keeps serving.
        keys.put(prefix + "keystore.verify-keys", "true");
        keys.put(prefix + "reload-on-update", "true");
        keys.put("server.ssl.bundle", BUNDLE);
        keys.put("server.ssl.enabled", "true");
        return keys;
    }

    @Override
    public int getOrder() {
        return Ordered.LOWEST_PRECEDENCE;
    }
}
