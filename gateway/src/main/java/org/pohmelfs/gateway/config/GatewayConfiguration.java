package org.pohmelfs.gateway.config;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.pohmelfs.client.ClientSettings;
import org.pohmelfs.client.NodeClient;
import io.micrometer.core.instrument.MeterRegistry;
import org.pohmelfs.gateway.cache.ContentCache;
import org.pohmelfs.gateway.coherence.LeaseCache;
import org.pohmelfs.gateway.files.FileService;
import org.pohmelfs.gateway.http.ReadOnlyFilter;
import org.pohmelfs.gateway.nodes.NodeLink;
import org.pohmelfs.gateway.nodes.NodeSet;
import org.pohmelfs.gateway.rest.RestSettings;
import org.pohmelfs.protocol.Command;
import org.pohmelfs.protocol.LinkPolicy;
import org.pohmelfs.transport.TlsConfig;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.ReactiveHealthIndicator;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;
import org.springframework.web.server.WebFilter;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** Wires the node client, the node set and the file service into the gateway. */
@Configuration(proxyBeanMethods = false)
class GatewayConfiguration {
    /** Largest data chunk one READ or WRITE carries. */
    static final int CHUNK = 1024 * 1024;

    @Bean
    NodeClient nodeClient(GatewayProperties p) {
        TlsConfig tls = null;
        if (p.tls().enabled()) {
            tls = new TlsConfig(p.tls().certificate(), p.tls().privateKey(), p.tls().trustedCa(), p.tls().required());
        } else if (p.tls().required()) {
            throw new IllegalStateException("pohmelfs.gateway.tls.required is set but certificate, private-key and "
                    + "trusted-ca are not all configured");
        }
        LinkPolicy link = new LinkPolicy(p.checksums(), p.tls().required(), LinkPolicy.DEFAULT_MAX_FRAME);
        return new NodeClient(new ClientSettings(p.id(), p.cluster(), link, tls, p.connectTimeout(), p.requestTimeout(),
                Set.of(org.pohmelfs.protocol.Handshake.FEATURE_DAVLOCKS)));
    }

    @Bean(destroyMethod = "close")
    NodeSet nodeSet(GatewayProperties p, NodeClient client) {
        List<NodeLink> links = p.nodes().stream().map(GatewayConfiguration::address)
                .map(a -> new NodeLink(a, client)).toList();
        return new NodeSet(client, links);
    }

    /** The coherent metadata cache on the primary node (used only when the cache is enabled). */
    @Bean(destroyMethod = "close")
    LeaseCache leaseCache(GatewayProperties p, NodeClient client, NodeSet nodes, MeterRegistry registry) {
        return new LeaseCache(client, nodes.links().getFirst().address(),
                new LeaseCache.Settings(p.cache().metadataMaxBytes().toBytes(), p.cache().idleRelease()), registry);
    }

    @Bean
    FileService fileService(NodeSet nodes, GatewayProperties p, LeaseCache leases, MeterRegistry registry) {
        if (!p.cache().enabled()) {
            return new FileService(nodes, p.id(), CHUNK, p.pipelineDepth());
        }
        ContentCache content = new ContentCache(p.cache().maxBytes().toBytes(), CHUNK).bindTo(registry, "pohmelfs.content");
        return new FileService(nodes, p.id(), CHUNK, p.pipelineDepth(),
                new FileService.Caching(leases, content, p.cache().maxFileSize().toBytes()));
    }

    @Bean
    RestSettings restSettings(GatewayProperties p) {
        return new RestSettings(p.listPageMax());
    }

    @Bean
    @Order(0) // after Spring Security (-100): an anonymous writer gets 401, not 403
    WebFilter readOnlyFilter(GatewayProperties p) {
        return p.readOnly() ? new ReadOnlyFilter() : (exchange, chain) -> chain.filter(exchange);
    }

    /** UP when every storage node answers a PING within two seconds. */
    @Bean
    ReactiveHealthIndicator nodesHealthIndicator(NodeSet nodes) {
        return () -> Flux.fromIterable(nodes.links())
                .flatMap(link -> link.connection()
                        .flatMap(c -> Mono.fromFuture(c.execute(new Command.Ping(System.nanoTime()))))
                        .timeout(Duration.ofSeconds(2))
                        .map(r -> Boolean.TRUE)
                        .onErrorReturn(Boolean.FALSE)
                        .map(ok -> java.util.Map.entry(link.toString(), ok ? "UP" : "DOWN")))
                .collectMap(java.util.Map.Entry::getKey, java.util.Map.Entry::getValue)
                .map(states -> (states.containsValue("DOWN") ? Health.down() : Health.up())
                        .withDetails(states).build());
    }

    static InetSocketAddress address(String hostPort) {
        int colon = hostPort.lastIndexOf(':');
        if (colon <= 0) {
            throw new IllegalArgumentException("storage node address must be host:port, not '" + hostPort + "'");
        }
        return new InetSocketAddress(hostPort.substring(0, colon), Integer.parseInt(hostPort.substring(colon + 1)));
    }
}
