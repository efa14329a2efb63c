package org.pohmelfs.gateway.https;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class HttpsRedirectTest {
    @Test
    void keepsHostPathAndQueryAndNamesTheHttpsPort() {
        assertThat(HttpsRedirect.location("gw.example:8080", "/dav/a%20b.txt?x=1", 8443, "127.0.0.1"))
                .isEqualTo("https://gw.example:8443/dav/a%20b.txt?x=1");
        assertThat(HttpsRedirect.location("127.0.0.1", "/", 8443, "h")).isEqualTo("https://127.0.0.1:8443/");
        assertThat(HttpsRedirect.location("[::1]:8080", "/api/v1/files/", 8443, "h"))
                .isEqualTo("https://[::1]:8443/api/v1/files/");
    }

    @Test
    void port443IsLeftOut() {
        assertThat(HttpsRedirect.location("files.example", "/dav/", 443, "h")).isEqualTo("https://files.example/dav/");
    }

    @Test
    void aMissingOrOddHostHeaderGivesTheFallback() {
        assertThat(HttpsRedirect.location(null, "/dav/", 8443, "10.0.0.1")).isEqualTo("https://10.0.0.1:8443/dav/");
        assertThat(HttpsRedirect.location("evil/x", "/dav/", 8443, "gw")).isEqualTo("https://gw:8443/dav/");
        assertThat(HttpsRedirect.location("a@b", "/", 8443, "gw")).isEqualTo("https://gw:8443/");
        assertThat(HttpsRedirect.location("", "/", 8443, "gw")).isEqualTo("https://gw:8443/");
    }

    @Test
    void theAbsoluteFormKeepsOnlyPathAndQuery() {
        assertThat(HttpsRedirect.location("gw", "http://other:8080/dav/x?y", 8443, "h")).isEqualTo("https://gw:8443/dav/x?y");
        assertThat(HttpsRedirect.location("gw", "http://other:8080", 8443, "h")).isEqualTo("https://gw:8443/");
        assertThat(HttpsRedirect.location("gw", "*", 8443, "h")).isEqualTo("https://gw:8443/");
    }

    @Test
    void onlyPlainActuatorPathsAreHandedToTheApplication() {
        assertThat(HttpsRedirect.actuator("/actuator")).isTrue();
        assertThat(HttpsRedirect.actuator("/actuator/health/readiness")).isTrue();
        assertThat(HttpsRedirect.actuator("/actuator/prometheus?includedNames=x")).isTrue();
        assertThat(HttpsRedirect.actuator("http://gw/actuator/health")).isTrue();
        assertThat(HttpsRedirect.actuator("/actuatorx")).isFalse();
        assertThat(HttpsRedirect.actuator("/dav/actuator/health")).isFalse();
        assertThat(HttpsRedirect.actuator("/actuator/../dav/secret")).isFalse();
        assertThat(HttpsRedirect.actuator("/actuator/./health")).isFalse();
        assertThat(HttpsRedirect.actuator("/actuator/%2e%2e/dav/")).isFalse();
        assertThat(HttpsRedirect.actuator("/actuator//health")).isFalse();
        assertThat(HttpsRedirect.actuator("/actuator/health;x=/../../dav")).isFalse();
        assertThat(HttpsRedirect.actuator("/actuator\\..\\dav")).isFalse();
    }
}
