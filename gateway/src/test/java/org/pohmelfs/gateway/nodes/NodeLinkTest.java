package org.pohmelfs.gateway.nodes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.pohmelfs.client.ClientSettings;
import org.pohmelfs.client.NodeClient;
import org.pohmelfs.client.NodeException;
import org.pohmelfs.gateway.testing.LocalNodes;
import org.pohmelfs.node.store.StoreSettings;
import org.pohmelfs.protocol.LinkPolicy;
import org.pohmelfs.transport.TlsConfig;
import org.pohmelfs.transport.pki.ClusterPki;

/** A real node requiring mutual TLS and the gateway's link to it, with the right and a foreign CA. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class NodeLinkTest {
    @TempDir
    Path dir;
    private LocalNodes nodes;

    @AfterEach
    void stop() {
        if (nodes != null) {
            nodes.close();
        }
    }

    private LocalNodes.Node tlsNode() throws Exception {
        ClusterPki.issue(ClusterPki.Request.of(dir.resolve("certs"), 1, 1));
        ClusterPki.issue(ClusterPki.Request.of(dir.resolve("other"), 0, 1));
        nodes = new LocalNodes().requireTls(dir.resolve("certs"));
        return nodes.add(dir, "node1", StoreSettings.defaults(Files.createDirectories(dir.resolve("node1"))));
    }

    private static NodeLink link(LocalNodes.Node node, Path certs) {
        LinkPolicy d = LinkPolicy.defaults();
        ClientSettings settings = ClientSettings.defaults("gw1", "pohmelfs")
                .withTls(new TlsConfig(certs.resolve("gw1.pem"), certs.resolve("gw1-key.pem"), certs.resolve("ca.pem"), true))
                .withLink(new LinkPolicy(d.checksums(), true, d.maxFrame()));
        return new NodeLink(new InetSocketAddress("127.0.0.1", node.server().port()), new NodeClient(settings));
    }

    private static long refused(LocalNodes.Node node) {
        var c = node.registry().find("pohmelfs.node.handshakes.refused").counter();
        return c == null ? 0 : (long) c.count();
    }

    @Test
    void aRefusedHandshakeIsHeldSoThatRequestsFailAtOnceWithoutNewConnections() throws Exception {
        LocalNodes.Node node = tlsNode();
        NodeLink link = link(node, dir.resolve("other"));
        assertThatThrownBy(() -> link.connection().block(Duration.ofSeconds(10)))
                .isInstanceOf(NodeException.HandshakeRefused.class)
                .hasMessageContaining("127.0.0.1:" + node.server().port())
                .hasMessageContaining("node certificate 'CN=node1,O=pohmelfs' not trusted");
        // Right after (well within the first 200 ms step): the same refusal, no new handshake.
        for (int i = 0; i < 50; i++) {
            assertThatThrownBy(() -> link.connection().block(Duration.ofSeconds(10)))
                    .isInstanceOf(NodeException.HandshakeRefused.class)
                    .hasMessageContaining("not trusted");
        }
        org.awaitility.Awaitility.await().atMost(5, TimeUnit.SECONDS).until(() -> refused(node) >= 1);
        // One handshake, or two if this loaded machine let the first step pass: not 51.
        assertThat(refused(node)).isBetween(1L, 2L);
        link.close();
    }

    @Test
    void aTrustedLinkConnectsAndIsNotHeld() throws Exception {
        LocalNodes.Node node = tlsNode();
        NodeLink link = link(node, dir.resolve("certs"));
        assertThat(link.connection().block(Duration.ofSeconds(10)).isOpen()).isTrue();
        assertThat(refused(node)).isZero();
        link.close();
    }

    @Test
    void aConnectRefusedByTheOperatingSystemIsUnreachableAndNotHeld() throws Exception {
        int port;
        try (var s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        NodeLink link = new NodeLink(new InetSocketAddress("127.0.0.1", port),
                new NodeClient(ClientSettings.defaults("gw1", "pohmelfs")));
        for (int i = 0; i < 3; i++) {
            // Each call is a fresh connect: the failure's cause is the OS's refusal every time.
            assertThatThrownBy(() -> link.connection().block(Duration.ofSeconds(10)))
                    .isInstanceOf(NodeException.Unreachable.class)
                    .hasCauseInstanceOf(java.net.ConnectException.class);
        }
        link.close();
    }
}
