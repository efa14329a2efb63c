package org.pohmelfs.node.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pohmelfs.client.ClientSettings;
import org.pohmelfs.client.NodeClient;
import org.pohmelfs.client.NodeConnection;
import org.pohmelfs.client.NodeException;
import org.pohmelfs.protocol.ChecksumAlgorithm;
import org.pohmelfs.protocol.Command;
import org.pohmelfs.protocol.LinkPolicy;
import org.pohmelfs.protocol.Message;
import org.pohmelfs.protocol.NodeInfo;
import org.pohmelfs.protocol.Result;
import org.pohmelfs.testing.LogCapture;
import org.pohmelfs.testing.TestPki;
import org.pohmelfs.transport.TlsConfig;
import org.pohmelfs.transport.pki.ClusterPki;

/**
 * Mutual TLS on the native protocol over real TCP on loopback: who gets in, who is refused,
 * and that each refusal leaves a log line naming the peer and the reason, on the side that
 * refused. The certificates are real PEM files, from {@code bin/pohmelfs certs}'s own code
 * ({@link ClusterPki}) or, for the malformed ones, a test CA ({@link TestPki}).
 */
class NodeTlsTest {
    private static final LinkPolicy TLS_ONLY = new LinkPolicy(List.of(ChecksumAlgorithm.NONE, ChecksumAlgorithm.CRC32C),
            true, LinkPolicy.DEFAULT_MAX_FRAME);
    private static final List<KeyPurposeId> BOTH = List.of(KeyPurposeId.id_kp_serverAuth,
            KeyPurposeId.id_kp_clientAuth);
    private static final List<String> LOOPBACK = List.of("127.0.0.1", "localhost");

    @TempDir
    Path tmp;

    private final List<AutoCloseable> open = new ArrayList<>();
    private LogCapture logs;

    private final RequestExecutor pinger = new RequestExecutor() {
        @Override
        public Message.Reply execute(Peer peer, Message.Request request) {
            return new Message.Reply(request.txid(), List.of(new Result.Pong(0)));
        }

        @Override
        public NodeInfo info() {
            return new NodeInfo(1000, 10, 990, 3, 0, false);
        }
    };

    @BeforeEach
    void captureLogs() {
        logs = LogCapture.of("org.pohmelfs");
    }

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : open.reversed()) {
            c.close();
        }
        logs.close();
    }

    private NodeServer node(TlsConfig tls) throws Exception {
        IoExecutor io = new IoExecutor(4);
        NodeServer server = new NodeServer(new NodeServer.Settings("n1", "test", "127.0.0.1", 0, TLS_ONLY,
                tls.serverContext(), 64), pinger, io, new NodeMetrics(new SimpleMeterRegistry()));
        server.start();
        open.add(io);
        open.add(server);
        return server;
    }

    private NodeConnection connect(NodeServer server, ClientSettings settings) {
        NodeConnection c = new NodeClient(settings).connectBlocking(server.address());
        open.add(c);
        return c;
    }

    private static ClientSettings client(String id, TlsConfig tls) {
        return ClientSettings.defaults(id, "test").withTls(tls).withLink(TLS_ONLY);
    }

    private static TlsConfig tls(Path dir, String name) {
        return new TlsConfig(dir.resolve(name + ".pem"), dir.resolve(name + "-key.pem"), dir.resolve("ca.pem"), true);
    }

    private static TlsConfig tls(TestPki.Leaf leaf) {
        return new TlsConfig(leaf.certificate(), leaf.privateKey(), leaf.ca(), true);
    }

    /** Waits for the refusing side's line (it may be logged just after the other side gave up). */
    private void awaitLog(String... parts) {
        await().atMost(10, TimeUnit.SECONDS).untilAsserted(() -> assertThat(logs.lines())
                .anySatisfy(line -> assertThat(line).contains(parts)));
    }

    @Test
    void theCertificatesOfBinPohmelfsCertsConnectAGatewayAndANodeOverMutualTls() throws Exception {
        Path certs = tmp.resolve("certs");
        ClusterPki.issue(ClusterPki.Request.of(certs, 2, 1));
        NodeServer server = node(tls(certs, "node1"));

        NodeConnection gw = connect(server, client("gw1", tls(certs, "gw1")));
        assertThat(gw.welcome().checksum()).as("TLS covers integrity").isEqualTo(ChecksumAlgorithm.NONE);
        assertThat(gw.execute(new Command.Ping(0)).get(5, TimeUnit.SECONDS).ok()).isTrue();
        // A node is a client of its peers during resync, with its own certificate.
        NodeConnection peer = connect(server, client("resync:node2", tls(certs, "node2")));
        assertThat(peer.execute(new Command.Ping(0)).get(5, TimeUnit.SECONDS).ok()).isTrue();
        assertThat(logs.lines()).as("no refusal, no warning").isEmpty();
    }

    @Test
    void aNodeRequiringTlsRefusesAPlaintextPeerAndLogsWhy() throws Exception {
        Path certs = tmp.resolve("certs");
        ClusterPki.issue(ClusterPki.Request.of(certs, 1, 0));
        NodeServer server = node(tls(certs, "node1"));
        assertThatThrownBy(() -> connect(server, ClientSettings.defaults("gw-plain", "test")))
                .isInstanceOf(NodeException.HandshakeRefused.class)
                .hasMessageContaining("requires TLS");
        awaitLog("WARN", "refused peer 'gw-plain'", "requires TLS and the connection is plaintext");
    }

    @Test
    void aNodeRefusesAGatewayCertificateFromAnotherCaAndLogsThePeerAndThePkixReason() throws Exception {
        Path certs = tmp.resolve("certs");
        ClusterPki.issue(ClusterPki.Request.of(certs, 1, 0));
        TestPki rogue = new TestPki(tmp.resolve("rogue"), "rogue-ca");
        TestPki.Leaf intruder = rogue.issue("gw-rogue");
        NodeServer server = node(tls(certs, "node1"));
        // The intruder trusts the cluster CA, so only the node's own check can refuse it.
        TlsConfig intruderTls = new TlsConfig(intruder.certificate(), intruder.privateKey(), certs.resolve("ca.pem"),
                true);
        assertThatThrownBy(() -> connect(server, client("gw-rogue", intruderTls))).isInstanceOf(NodeException.HandshakeRefused.class);
        // A TLS 1.3 client offers only a certificate issued by a CA the node names as trusted, so
        // the node sees none at all.
        awaitLog("WARN", "refused peer at /127.0.0.1:", "TLS handshake failed", "presented no client certificate");
    }

    @Test
    void aGatewayRefusesANodeCertificateFromAnotherCaAndLogsTheNodeAndTheReason() throws Exception {
        Path certs = tmp.resolve("certs");
        ClusterPki.issue(ClusterPki.Request.of(certs, 0, 1));
        TestPki rogue = new TestPki(tmp.resolve("rogue"), "rogue-ca");
        TestPki.Leaf fake = rogue.issue("node-rogue");
        NodeServer server = node(new TlsConfig(fake.certificate(), fake.privateKey(), certs.resolve("ca.pem"), true));
        assertThatThrownBy(() -> connect(server, client("gw1", tls(certs, "gw1"))))
                .isInstanceOf(NodeException.HandshakeRefused.class)
                .hasMessageContaining("node certificate 'CN=node-rogue' not trusted");
        awaitLog("WARN", "refused node at 127.0.0.1:" + server.port(), "TLS handshake failed",
                "node certificate 'CN=node-rogue' not trusted", "certification path");
    }

    @Test
    void anExpiredGatewayCertificateIsRefusedByTheNodeNamingTheExpiry() throws Exception {
        TestPki pki = new TestPki(tmp.resolve("pki"), "cluster-ca");
        NodeServer server = node(tls(pki.issue("node1")));
        TestPki.Leaf old = pki.issue("gw-old", LOOPBACK, BOTH, Instant.now().minus(Duration.ofDays(5)));
        assertThatThrownBy(() -> connect(server, client("gw-old", tls(old)))).isInstanceOf(NodeException.HandshakeRefused.class);
        awaitLog("WARN", "refused peer at /127.0.0.1:", "client certificate 'CN=gw-old'", "certificate expired");
    }

    @Test
    void anExpiredNodeCertificateIsRefusedByTheGatewayNamingTheExpiry() throws Exception {
        TestPki pki = new TestPki(tmp.resolve("pki"), "cluster-ca");
        NodeServer server = node(tls(pki.issue("node-old", LOOPBACK, BOTH, Instant.now().minus(Duration.ofDays(5)))));
        assertThatThrownBy(() -> connect(server, client("gw1", tls(pki.issue("gw1")))))
                .isInstanceOf(NodeException.HandshakeRefused.class)
                .hasMessageContaining("certificate expired");
        awaitLog("WARN", "refused node at 127.0.0.1:" + server.port(), "'CN=node-old'", "certificate expired");
    }

    @Test
    void aGatewayRefusesANodeWhoseCertificateDoesNotNameTheAddressDialled() throws Exception {
        TestPki pki = new TestPki(tmp.resolve("pki"), "cluster-ca");
        // Signed by the cluster CA, but for another host: a stolen key of node7 cannot pose as this node.
        NodeServer server = node(tls(pki.issue("node7", List.of("node7", "10.9.9.7"), BOTH, Instant.now())));
        assertThatThrownBy(() -> connect(server, client("gw1", tls(pki.issue("gw1")))))
                .isInstanceOf(NodeException.HandshakeRefused.class)
                .hasMessageContaining("127.0.0.1");
        awaitLog("WARN", "refused node at 127.0.0.1:" + server.port(), "'CN=node7' not trusted",
                "No subject alternative names matching IP address 127.0.0.1");
    }

    @Test
    void aNodeRefusesAClientCertificateWithoutTheClientAuthUsage() throws Exception {
        TestPki pki = new TestPki(tmp.resolve("pki"), "cluster-ca");
        NodeServer server = node(tls(pki.issue("node1")));
        TestPki.Leaf noUsage = pki.issue("someone", LOOPBACK, List.of(), Instant.now());
        assertThatThrownBy(() -> connect(server, client("someone", tls(noUsage)))).isInstanceOf(NodeException.HandshakeRefused.class);
        awaitLog("WARN", "refused peer at /127.0.0.1:", "client certificate 'CN=someone' refused",
                "lacks the extended key usage clientAuth");
    }

    @Test
    void aGatewayRefusesANodeCertificateWithoutTheServerAuthUsage() throws Exception {
        TestPki pki = new TestPki(tmp.resolve("pki"), "cluster-ca");
        NodeServer server = node(tls(pki.issue("client-only", LOOPBACK, List.of(KeyPurposeId.id_kp_clientAuth),
                Instant.now())));
        assertThatThrownBy(() -> connect(server, client("gw1", tls(pki.issue("gw1")))))
                .isInstanceOf(NodeException.HandshakeRefused.class);
        awaitLog("WARN", "refused node at 127.0.0.1:" + server.port(), "'CN=client-only'");
    }
}
