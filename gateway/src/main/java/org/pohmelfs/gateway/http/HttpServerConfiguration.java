package org.pohmelfs.gateway.http;

import org.springframework.boot.reactor.netty.NettyServerCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import reactor.netty.NettyPipeline;

/** Settings of the gateway's Reactor Netty HTTP server that Spring Boot's properties do not cover. */
@Configuration(proxyBeanMethods = false)
public class HttpServerConfiguration {
    /** Puts {@link ReadRearmHandler} into every HTTP/1.1 connection, just before the bridge to the application. */
    @Bean
    NettyServerCustomizer readRearm() {
        return server -> server.doOnChannelInit((observer, channel, remote) -> {
            var pipeline = channel.pipeline();
            if (pipeline.get(NettyPipeline.HttpTrafficHandler) != null && pipeline.get(NettyPipeline.ReactiveBridge) != null
                    && pipeline.get(ReadRearmHandler.NAME) == null) {
                pipeline.addBefore(NettyPipeline.ReactiveBridge, ReadRearmHandler.NAME, ReadRearmHandler.INSTANCE);
            }
        });
    }
}
