package org.pohmelfs.gateway.security;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.Set;
import org.springframework.web.server.ServerWebExchange;

/**
 * The client's address of a request: the TCP peer, or, when the peer is one of the configured
 * trusted proxies, the last address of {@code X-Forwarded-For} that is not itself a trusted
 * proxy. With no trusted proxies (the default) the header is ignored: a client cannot choose
 * the address it is throttled and logged under.
 */
public final class ClientAddresses {
    /** Exchange attribute holding the resolved address (a String). */
    public static final String ATTRIBUTE = ClientAddresses.class.getName() + ".address";

    private final Set<String> trustedProxies;

    public ClientAddresses(List<String> trustedProxies) {
        this.trustedProxies = Set.copyOf(trustedProxies);
    }

    /** Resolves the address of {@code exchange} and remembers it in {@link #ATTRIBUTE}. */
    public String resolve(ServerWebExchange exchange) {
        String known = exchange.getAttribute(ATTRIBUTE);
        if (known != null) {
            return known;
        }
        InetSocketAddress remote = exchange.getRequest().getRemoteAddress();
        String peer = remote == null || remote.getAddress() == null ? "-" : remote.getAddress().getHostAddress();
        String address = resolve(peer, exchange.getRequest().getHeaders().get("X-Forwarded-For"));
        exchange.getAttributes().put(ATTRIBUTE, address);
        return address;
    }

    /** The address for a TCP peer and the X-Forwarded-For header values (pure). */
    String resolve(String peer, List<String> forwardedFor) {
        if (!trustedProxies.contains(peer) || forwardedFor == null || forwardedFor.isEmpty()) {
            return peer;
        }
        String address = peer;
        List<String> hops = forwardedFor.stream()
                .flatMap(v -> java.util.Arrays.stream(v.split(",")))
                .map(String::trim).filter(s -> !s.isEmpty()).toList();
        for (int i = hops.size() - 1; i >= 0; i--) {
            address = hops.get(i);
            if (!trustedProxies.contains(address)) {
                break;
            }
        }
        return RefusalLog.printable(address);
    }
}
