package org.pohmelfs.gateway.https;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.http.server.reactive.HttpHandler;

/** The plain HTTP listener next to HTTPS, when {@code pohmelfs.gateway.https.plain-port} is set. */
@Configuration(proxyBeanMethods = false)
public class HttpsConfiguration {
    @Bean
    @ConditionalOnProperty("pohmelfs.gateway.https.plain-port")
    PlainHttpListener plainHttpListener(HttpsProperties https, Environment environment, ApplicationContext context,
                                        ObjectProvider<HttpHandler> handler) {
        String address = environment.getProperty("server.address", "127.0.0.1");
        return new PlainHttpListener(https, address,
                () -> ((WebServerApplicationContext) context).getWebServer().getPort(), handler::getObject);
    }
}
