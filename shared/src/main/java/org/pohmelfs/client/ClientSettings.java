package org.pohmelfs.client;

import java.time.Duration;
import java.util.Set;
import org.pohmelfs.protocol.LinkPolicy;
import org.pohmelfs.transport.TlsConfig;

/**
 * How a client (a gateway, a tool, a test) connects to storage nodes.
 *
 * @param peerId          this client's identity, sent in HELLO
 * @param clusterName     must match the node's
 * @param link            checksums accepted, TLS requirement, largest frame accepted
 * @param tls             TLS material, or null for plaintext
 * @param connectTimeout  TCP connect plus handshake
 * @param requestTimeout  how long a transaction may wait for its reply
 * @param features        optional capabilities to ask for
 */
public record ClientSettings(String peerId, String clusterName, LinkPolicy link, TlsConfig tls,
                             Duration connectTimeout, Duration requestTimeout, Set<String> features) {

    public ClientSettings {
        features = Set.copyOf(features);
        if (link.requireTls() && tls == null) {
            throw new IllegalArgumentException("TLS is required but no TLS material is configured");
        }
    }

    public static ClientSettings defaults(String peerId, String clusterName) {
        return new ClientSettings(peerId, clusterName, LinkPolicy.defaults(), null, Duration.ofSeconds(5),
                Duration.ofSeconds(30), Set.of());
    }

    public ClientSettings withLink(LinkPolicy link) {
        return new ClientSettings(peerId, clusterName, link, tls, connectTimeout, requestTimeout, features);
    }

    public ClientSettings withTls(TlsConfig tls) {
        return new ClientSettings(peerId, clusterName, link, tls, connectTimeout, requestTimeout, features);
    }

    public ClientSettings withRequestTimeout(Duration timeout) {
        return new ClientSettings(peerId, clusterName, link, tls, connectTimeout, timeout, features);
    }
}
