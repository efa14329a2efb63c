package org.pohmelfs.gateway.audit;

import java.time.Clock;
import org.pohmelfs.gateway.config.GatewayProperties;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;
import org.springframework.web.server.WebFilter;
import tools.jackson.databind.json.JsonMapper;

/** The audit log, when {@code pohmelfs.gateway.audit.file} is set. */
@Configuration(proxyBeanMethods = false)
@ConditionalOnProperty("pohmelfs.gateway.audit.file")
public class AuditConfiguration {
    @Bean(destroyMethod = "close")
    AuditLog auditLog(AuditProperties properties, GatewayProperties gateway, JsonMapper json) {
        return new AuditLog(properties, gateway.id(), json);
    }

    @Bean
    @Order(5) // after Spring Security (-100) and the read-only filter (0), before WebDAV (10)
    WebFilter auditFilter(AuditLog auditLog, GatewayProperties gateway) {
        return new AuditFilter(auditLog, gateway.id(), Clock.systemUTC());
    }
}
