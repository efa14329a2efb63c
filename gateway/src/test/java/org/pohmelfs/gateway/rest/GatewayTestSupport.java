package org.pohmelfs.gateway.rest;

import org.pohmelfs.gateway.GatewayApplication;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

/** Starts real gateways (the Spring Boot application on a free loopback port) for tests. */
public final class GatewayTestSupport {
    private GatewayTestSupport() {
    }

    public static ConfigurableApplicationContext startGateway(String id, String nodes, String... extra) {
        String[] args = new String[4 + extra.length];
        args[0] = "--server.port=0";
        args[1] = "--pohmelfs.gateway.id=" + id;
        args[2] = "--pohmelfs.gateway.nodes=" + nodes;
        args[3] = "--spring.jmx.enabled=false";
        System.arraycopy(extra, 0, args, 4, extra.length);
        SpringApplication app = new SpringApplication(GatewayApplication.class);
        return app.run(args);
    }

    public static String baseUrl(ConfigurableApplicationContext context) {
        int port = ((WebServerApplicationContext) context).getWebServer().getPort();
        return "http://127.0.0.1:" + port;
    }
}
