package org.pohmelfs.gateway.config;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Set;
import org.pohmelfs.client.ClientSettings;
import org.pohmelfs.client.NodeClient;
import org.pohmelfs.client.NodeException;
import io.micrometer.core.instrument.MeterRegistry;
import org.pohmelfs.gateway.cache.ContentCache;
import org.pohmelfs.gateway.cache.DiskTier;
import org.pohmelfs.gateway.coherence.LeaseCache;
import org.pohmelfs.gateway.files.FileService;
import org.pohmelfs.gateway.http.ReadOnlyFilter;
import org.pohmelfs.gateway.nodes.NodeSet;
import org.pohmelfs.gateway.replication.MapSource;
import org.pohmelfs.gateway.replication.Replicas;
import org.pohmelfs.gateway.replication.StaticMapSource;
import org.pohmelfs.gateway.replication.ZooKeeperMapSource;
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

    /** The cluster map: from ZooKeeper with {@code pohmelfs.gateway.zookeeper.connect}, else the static node list. */
    @Bean(destroyMethod = "")
    MapSource mapSource(GatewayProperties p) {
        if (p.zookeeper().enabled()) {
            return new ZooKeeperMapSource(p.zookeeper().connect(), p.zookeeper().sessionTimeout(), p.cluster(),
                    p.id(), p.zookeeper().firstMapWait());
        }
        return new StaticMapSource(p.nodes().stream().map(GatewayConfiguration::address).toList());
    }

    @Bean(destroyMethod = "close")
    NodeSet nodeSet(GatewayProperties p, NodeClient client, MapSource source, MeterRegistry registry) {
        GatewayProperties.Replication r = p.replication();
        return new NodeSet(new Replicas(source, client, new Replicas.Settings(r.nodeTimeout(), r.authorityTimeout(),
                r.readTimeout(), r.maxMapChanges(), p.requestTimeout(), r.refusedFor(), r.splitReads()), registry));
    }

    /** The coherent metadata cache on the lock authority, following it when the map moves it. */
    @Bean(destroyMethod = "close")
    LeaseCache leaseCache(GatewayProperties p, NodeClient client, NodeSet nodes, MeterRegistry registry) {
        InetSocketAddress first = nodes.replicas().map()
                .map(m -> new InetSocketAddress(m.authorityMember().host(), m.authorityMember().port()))
                .orElseGet(() -> InetSocketAddress.createUnresolved("0.0.0.0", 1));
        LeaseCache cache = new LeaseCache(client, first,
                new LeaseCache.Settings(p.cache().metadataMaxBytes().toBytes(), p.cache().idleRelease()), registry);
        nodes.replicas().onAuthority(a -> cache.moveTo(new InetSocketAddress(a.host(), a.port())));
        nodes.replicas().source().onSession(connected -> {
            if (connected) {
                cache.resume();
            } else {
                cache.suspend();
            }
        });
        return cache;
    }

    /** The content cache's disk tier; one that is off (keeps nothing) when it is not configured. */
    @Bean(destroyMethod = "close")
    DiskTier diskTier(GatewayProperties p, MeterRegistry registry) {
        GatewayProperties.Disk d = p.cache().disk();
        if (!p.cache().enabled() || !d.enabled()) {
            return DiskTier.off();
        }
        return DiskTier.open(new DiskTier.Settings(d.dir(), d.maxBytes().toBytes(), d.maxFileSize().toBytes()))
                .bindTo(registry, "pohmelfs.disk");
    }

    @Bean
    FileService fileService(NodeSet nodes, GatewayProperties p, LeaseCache leases, DiskTier disk,
                            MeterRegistry registry) {
        if (!p.cache().enabled()) {
            return new FileService(nodes, p.id(), CHUNK, p.pipelineDepth());
        }
        DiskTier tier = disk.enabled() ? disk : null;
        ContentCache content = new ContentCache(p.cache().maxBytes().toBytes(), CHUNK, tier)
                .bindTo(registry, "pohmelfs.content");
        return new FileService(nodes, p.id(), CHUNK, p.pipelineDepth(),
                new FileService.Caching(leases, content, p.cache().maxFileSize().toBytes(), tier));
    }

    @Bean
    RestSettings restSettings(GatewayProperties p) {
        return new RestSettings(p.listPageMax());
    }

    @Bean
    @Order(-1) // after Spring Security (-100), around everything that may refuse after it
    WebFilter refusalFilter() {
        return new org.pohmelfs.gateway.security.RefusalFilter();
    }

    @Bean
    @Order(0) // after Spring Security (-100): an anonymous writer gets 401, not 403
    WebFilter readOnlyFilter(GatewayProperties p) {
        return p.readOnly() ? new ReadOnlyFilter() : (exchange, chain) -> chain.filter(exchange);
    }

    /**
     * UP when a cluster map is known and its lock authority answers a PING within two seconds;
     * the details give every member's state and whether it answered (and why not, when the node
     * and this gateway refused each other's handshake). Part of readiness.
     */
    @Bean
    ReactiveHealthIndicator nodesHealthIndicator(NodeSet nodes) {
        return () -> {
            var map = nodes.replicas().map();
            if (map.isEmpty()) {
                return Mono.just(Health.down().withDetail("map", "no cluster map yet").build());
            }
            var links = nodes.replicas().links();
            return Flux.fromIterable(map.get().members())
                    .flatMap(m -> {
                        var link = links.get(m.id());
                        Mono<String> ping = link == null ? Mono.just("not contacted")
                                : link.connection()
                                        .flatMap(c -> Mono.fromFuture(c.execute(new Command.Ping(System.nanoTime()))))
                                        .timeout(Duration.ofSeconds(2))
                                        .map(r -> "UP")
                                        // A refused handshake says why (a certificate, plaintext).
                                        .onErrorResume(e -> Mono.just(e instanceof NodeException.HandshakeRefused
                                                ? "DOWN (" + e.getMessage() + ")" : "DOWN"));
                        return ping.map(s -> java.util.Map.entry(m.id(), m.state() + " " + m.address() + " " + s));
                    })
                    .collectMap(java.util.Map.Entry::getKey, java.util.Map.Entry::getValue)
                    .map(states -> (states.get(map.get().authority()).endsWith(" UP") ? Health.up() : Health.down())
                            .withDetail("epoch", map.get().epoch())
                            .withDetail("authority", map.get().authority())
                            .withDetails(states).build());
        };
    }

    /**
     * DOWN when every member of the map refused this gateway's handshake (or this gateway every
     * member's): a certificate from another CA, an expired one, plaintext to nodes that require
     * TLS. Such a gateway can serve nothing, so it is in the readiness group and the details name
     * each node and why. UP otherwise, also when nodes are merely unreachable (failover is the
     * cure for that, not taking the gateway out). The links hold a refusal for a backoff, so
     * asking often opens no more connections.
     */
    @Bean
    ReactiveHealthIndicator nodeHandshakesHealthIndicator(NodeSet nodes) {
        return () -> {
            var links = nodes.replicas().links();
            if (links.isEmpty()) {
                return Mono.just(Health.up().build());
            }
            return Flux.fromIterable(links.entrySet())
                    .flatMap(e -> e.getValue().connection()
                            .timeout(Duration.ofSeconds(2))
                            .map(c -> "accepted")
                            .onErrorResume(x -> Mono.just(x instanceof NodeException.HandshakeRefused
                                    ? "refused: " + x.getMessage() : "not accepted: " + x.getMessage()))
                            .map(s -> java.util.Map.entry(e.getKey(), s)))
                    .collectMap(java.util.Map.Entry::getKey, java.util.Map.Entry::getValue)
                    .map(states -> (states.values().stream().allMatch(s -> s.startsWith("refused"))
                            ? Health.down().withDetail("reason", "every node refused this gateway's handshake")
                            : Health.up()).withDetails(states).build());
        };
    }

    /** UP once a cluster map is known; in the readiness group, so a gateway without a map takes no traffic. */
    @Bean
    ReactiveHealthIndicator clusterMapHealthIndicator(NodeSet nodes) {
        return () -> Mono.just(nodes.replicas().map()
                .map(m -> Health.up().withDetail("epoch", m.epoch()).withDetail("authority", m.authority()).build())
                .orElseGet(() -> Health.down().withDetail("map", "no cluster map yet").build()));
    }

    static InetSocketAddress address(String hostPort) {
        int colon = hostPort.lastIndexOf(':');
        if (colon <= 0) {
            throw new IllegalArgumentException("storage node address must be host:port, not '" + hostPort + "'");
        }
        return new InetSocketAddress(hostPort.substring(0, colon), Integer.parseInt(hostPort.substring(colon + 1)));
    }
}
