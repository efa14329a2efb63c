package org.pohmelfs.gateway.https;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class HttpsEnvironmentTest {
    static HttpsProperties https(Path cert, Path key, Integer plainPort) {
        return new HttpsProperties(cert, key, plainPort, HttpsProperties.PlainHttp.REDIRECT, true, null);
    }

    @Test
    void twoFilesBecomeAReloadingPemBundleServedByTheServer() {
        var keys = HttpsEnvironment.springProperties(https(Path.of("/etc/gw/cert.pem"), Path.of("/etc/gw/key.pem"), null));
        assertThat(keys).containsEntry("spring.ssl.bundle.pem.pohmelfs-https.keystore.certificate", "file:/etc/gw/cert.pem")
                .containsEntry("spring.ssl.bundle.pem.pohmelfs-https.keystore.private-key", "file:/etc/gw/key.pem")
                .containsEntry("spring.ssl.bundle.pem.pohmelfs-https.reload-on-update", "true")
                .containsEntry("spring.ssl.bundle.pem.pohmelfs-https.keystore.verify-keys", "true")
                .containsEntry("server.ssl.bundle", "pohmelfs-https");
    }

    @Test
    void relativeFilesAreMadeAbsolute() {
        var keys = HttpsEnvironment.springProperties(https(Path.of("c.pem"), Path.of("k.pem"), null));
        assertThat((String) keys.get("spring.ssl.bundle.pem.pohmelfs-https.keystore.certificate"))
                .isEqualTo("file:" + Path.of("c.pem").toAbsolutePath());
    }

    @Test
    void nothingSetMeansPlainHttpAsBefore() {
        assertThat(HttpsEnvironment.springProperties(https(null, null, null))).isEmpty();
    }

    @Test
    void halfAConfigurationIsRefused() {
        assertThatThrownBy(() -> HttpsEnvironment.springProperties(https(Path.of("c.pem"), null, null)))
                .hasMessageContaining("both certificate and private-key");
        assertThatThrownBy(() -> HttpsEnvironment.springProperties(https(null, Path.of("k.pem"), null)))
                .hasMessageContaining("both certificate and private-key");
        assertThatThrownBy(() -> HttpsEnvironment.springProperties(https(null, null, 8080)))
                .hasMessageContaining("plain-port is set but HTTPS is off");
    }
}
