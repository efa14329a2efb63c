package org.pohmelfs.gateway.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpHeaders;
import org.springframework.mock.http.server.reactive.MockServerHttpRequest;
import org.springframework.mock.web.server.MockServerWebExchange;
import org.springframework.security.web.server.header.CompositeServerHttpHeadersWriter;
import org.springframework.security.web.server.header.ContentTypeOptionsServerHttpHeadersWriter;
import org.springframework.security.web.server.header.ReferrerPolicyServerHttpHeadersWriter;
import org.springframework.security.web.server.header.ServerHttpHeadersWriter;
import org.springframework.security.web.server.header.StrictTransportSecurityServerHttpHeadersWriter;
import org.springframework.security.web.server.header.XFrameOptionsServerHttpHeadersWriter;
import org.springframework.security.web.server.header.XXssProtectionServerHttpHeadersWriter;

/**
 * {@link SecurityHeaders} writes what Spring Security's default header writers (less
 * Cache-Control) write, over http and https, and leaves a header the answer already has alone.
 */
class SecurityHeadersTest {
    /** Spring Security's defaults that write anything without configuration, Cache-Control left out. */
    private static ServerHttpHeadersWriter springDefaults() {
        return new CompositeServerHttpHeadersWriter(new ContentTypeOptionsServerHttpHeadersWriter(),
                new StrictTransportSecurityServerHttpHeadersWriter(), new XFrameOptionsServerHttpHeadersWriter(),
                new XXssProtectionServerHttpHeadersWriter(), new ReferrerPolicyServerHttpHeadersWriter());
    }

    private static Map<String, List<String>> written(ServerHttpHeadersWriter writer, String url, String... preset) {
        MockServerWebExchange exchange = MockServerWebExchange.from(MockServerHttpRequest.get(url));
        for (int i = 0; i < preset.length; i += 2) {
            exchange.getResponse().getHeaders().set(preset[i], preset[i + 1]);
        }
        writer.writeHttpHeaders(exchange).block();
        Map<String, List<String>> all = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        HttpHeaders headers = exchange.getResponse().getHeaders();
        headers.forEach(all::put);
        return all;
    }

    @Test
    void sameHeadersAsSpringSecuritysDefaultsOverHttp() {
        Map<String, List<String>> ours = written(new SecurityHeaders(), "http://127.0.0.1/dav/a.txt");
        assertThat(ours).isEqualTo(written(springDefaults(), "http://127.0.0.1/dav/a.txt"));
        assertThat(ours).containsKeys("X-Content-Type-Options", "X-Frame-Options", "X-XSS-Protection",
                "Referrer-Policy").doesNotContainKey("Strict-Transport-Security");
    }

    @Test
    void sameHeadersAsSpringSecuritysDefaultsOverHttps() {
        Map<String, List<String>> ours = written(new SecurityHeaders(), "https://127.0.0.1/dav/a.txt");
        assertThat(ours).isEqualTo(written(springDefaults(), "https://127.0.0.1/dav/a.txt"));
        assertThat(ours).containsKey("Strict-Transport-Security");
    }

    @Test
    void aHeaderTheAnswerHasIsKept() {
        String[] preset = {"X-Frame-Options", "SAMEORIGIN", "Referrer-Policy", "origin"};
        Map<String, List<String>> ours = written(new SecurityHeaders(), "http://127.0.0.1/api/v1/files/a", preset);
        assertThat(ours).isEqualTo(written(springDefaults(), "http://127.0.0.1/api/v1/files/a", preset));
        assertThat(ours.get("X-Frame-Options")).containsExactly("SAMEORIGIN");
        assertThat(ours.get("X-Content-Type-Options")).containsExactly("nosniff");
    }
}
