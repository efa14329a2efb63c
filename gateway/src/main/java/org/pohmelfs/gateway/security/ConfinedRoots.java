package org.pohmelfs.gateway.security;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.pohmelfs.gateway.files.FileService;
import org.pohmelfs.protocol.ObjectPath;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Mono;

/**
 * Creates a confined user's root (with its parents) on the user's first request to the file
 * APIs through this gateway, so that a new user finds an empty folder rather than 404 on
 * {@code /}. Once a root is known to exist it is not looked at again; if someone deletes it
 * later, the user gets 404 until a gateway restarts (or an admin recreates it). A root that
 * cannot be made (a read-only node, a file in the way) is left alone: the request goes on and
 * meets the tree as it is.
 */
public final class ConfinedRoots implements WebFilter {
    private static final Logger log = LoggerFactory.getLogger(ConfinedRoots.class);
    private final FileService files;
    /** Without authentication every file request is anonymous, whose root is {@code /}: nothing to do. */
    private final boolean authEnabled;
    private final Set<ObjectPath> known = ConcurrentHashMap.newKeySet();

    public ConfinedRoots(FileService files, boolean authEnabled) {
        this.files = files;
        this.authEnabled = authEnabled;
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        if (!authEnabled) {
            return chain.filter(exchange);
        }
        String path = exchange.getRequest().getPath().pathWithinApplication().value();
        if (!path.startsWith("/api/v1/files") && !path.startsWith("/api/v1/xattrs") && !path.startsWith("/dav")) {
            return chain.filter(exchange);
        }
        return Accounts.of(exchange).flatMap(account -> account.confined() && !known.contains(account.root())
                ? ensure(account.root()) : Mono.empty()).then(chain.filter(exchange));
    }

    private Mono<Void> ensure(ObjectPath root) {
        return files.find(root)
                .switchIfEmpty(Mono.defer(() -> files.mkdir(root, true)
                        .doOnNext(a -> log.info("created the confined root {}", root))))
                .doOnNext(attr -> known.add(root))
                .onErrorResume(e -> {
                    log.warn("could not create the confined root {}: {}", root, e.toString());
                    return Mono.empty();
                })
                .then();
    }
}
