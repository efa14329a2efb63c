package org.pohmelfs.gateway.https;

import java.nio.file.Path;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * HTTPS on the gateway's front end ({@code pohmelfs.gateway.https.*}, docs/security.md "HTTPS").
 * With {@code certificate} and {@code private-key} set, {@code server.port} serves HTTPS only,
 * from these PEM files, and a new certificate written over them is served to new connections
 * without a restart ({@link HttpsEnvironment} turns them into Spring Boot's SSL bundle
 * {@value HttpsEnvironment#BUNDLE} with {@code reload-on-update}).
 *
 * @param certificate    PEM certificate chain the gateway presents (its own certificate first,
 *                       then intermediates); set together with {@code private-key} to turn HTTPS on.
 *                       Watched: a changed file is served to new connections after
 *                       {@code spring.ssl.bundle.watch.file.quiet-period} (10 s by default)
 * @param privateKey     PEM private key of that certificate (PKCS#8, PKCS#1 or EC; not encrypted)
 * @param plainPort      a second listener for plain HTTP on {@code server.address}; unset: none (a
 *                       plain client gets "connection refused"); 0: any free port
 * @param plainHttp      what the plain listener answers outside {@code /actuator}: {@code redirect}
 *                       (308 to the same path over HTTPS; the method and body are kept) or
 *                       {@code refuse} (403 naming the HTTPS URL)
 * @param plainActuator  the plain listener also serves {@code /actuator/**} itself (health probes,
 *                       Prometheus scrapes), with the same authorization as on HTTPS
 * @param redirectPort   the HTTPS port named in redirects, when clients reach the gateway through a
 *                       port mapping (e.g. 443 in front of 8443); default: the port the gateway listens on
 */
@ConfigurationProperties("pohmelfs.gateway.https")
public record HttpsProperties(Path certificate, Path privateKey, Integer plainPort,
                              @DefaultValue("redirect") PlainHttp plainHttp,
                              @DefaultValue("true") boolean plainActuator, Integer redirectPort) {

    /** What the plain HTTP listener does with a request outside {@code /actuator}. */
    public enum PlainHttp {
        /** 308 Permanent Redirect to the same URL over HTTPS. */
        REDIRECT,
        /** 403 with a short text naming the HTTPS URL. */
        REFUSE
    }

    /** HTTPS is on when both PEM files are named. */
    public boolean enabled() {
        return certificate != null && privateKey != null;
    }
}
