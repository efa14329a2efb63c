package org.pohmelfs.transport.pki;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pohmelfs.transport.TlsConfig;

/** The files {@code bin/pohmelfs certs} writes: names, modes, extensions, chain, idempotence. */
class ClusterPkiTest {
    private static final Instant NOW = Instant.parse("2026-11-29T12:00:00Z");
    private static final String SERVER_AUTH = "1.3.6.1.5.5.7.3.1";
    private static final String CLIENT_AUTH = "1.3.6.1.5.5.7.3.2";

    @TempDir
    Path dir;

    private ClusterPki.Request request(int nodes, int gateways, List<String> names, boolean force) {
        return new ClusterPki.Request(dir, nodes, gateways, names, force, ClusterPki.DEFAULT_CA_VALIDITY,
                ClusterPki.DEFAULT_LEAF_VALIDITY, NOW);
    }

    @Test
    void writesTheCaAndOneCertificateAndKeyPerNodeAndGatewayWithPrivateKeysOnlyForTheOwner() throws Exception {
        ClusterPki.issue(request(2, 1, List.of(), false));
        try (var files = Files.list(dir)) {
            assertThat(files.map(f -> f.getFileName().toString())).containsExactlyInAnyOrder("ca.pem", "ca-key.pem",
                    "node1.pem", "node1-key.pem", "node2.pem", "node2-key.pem", "gw1.pem", "gw1-key.pem");
        }
        for (String key : List.of("ca-key.pem", "node1-key.pem", "node2-key.pem", "gw1-key.pem")) {
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve(key))))
                    .as(key).isEqualTo("rw-------");
            assertThat(Files.readString(dir.resolve(key))).as("PKCS#8, what Netty reads")
                    .startsWith("-----BEGIN PRIVATE KEY-----");
        }
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("ca.pem"))))
                .isEqualTo("rw-r--r--");
    }

    @Test
    void leavesChainToTheCaNameTheirHostAndLoopbackAndCarryTheUsageOfTheirRole() throws Exception {
        ClusterPki.issue(request(1, 1, List.of("storage-1.example.org", "10.1.2.3"), false));
        X509Certificate ca = ClusterPki.readCertificate(dir.resolve("ca.pem"));
        X509Certificate node = ClusterPki.readCertificate(dir.resolve("node1.pem"));
        X509Certificate gw = ClusterPki.readCertificate(dir.resolve("gw1.pem"));

        assertThat(ca.getBasicConstraints()).as("a CA").isGreaterThanOrEqualTo(0);
        node.verify(ca.getPublicKey());
        gw.verify(ca.getPublicKey());
        assertThat(node.getBasicConstraints()).as("not a CA").isEqualTo(-1);
        assertThat(sans(node)).containsExactly("2:node1", "2:localhost", "7:127.0.0.1", "2:storage-1.example.org",
                "7:10.1.2.3");
        assertThat(sans(gw)).startsWith("2:gw1", "2:localhost", "7:127.0.0.1");
        assertThat(node.getExtendedKeyUsage()).as("a node is a client of its peers in resync")
                .containsExactlyInAnyOrder(SERVER_AUTH, CLIENT_AUTH);
        assertThat(gw.getExtendedKeyUsage()).contains(CLIENT_AUTH);
        assertThat(node.getSubjectX500Principal().getName()).isEqualTo("CN=node1,O=pohmelfs");

        assertThat(node.getNotAfter().toInstant()).isEqualTo(NOW.plus(Duration.ofDays(825)).truncatedTo(
                java.time.temporal.ChronoUnit.SECONDS));
        assertThat(ca.getNotAfter().toInstant()).isAfter(NOW.plus(Duration.ofDays(3649)));
    }

    @Test
    void eachKeyMatchesItsCertificate() throws Exception {
        ClusterPki.issue(request(1, 1, List.of(), false));
        for (String name : List.of("ca", "node1", "gw1")) {
            X509Certificate cert = ClusterPki.readCertificate(dir.resolve(name + ".pem"));
            PrivateKey key = pkcs8(dir.resolve(name + "-key.pem"));
            Signature s = Signature.getInstance("SHA256withECDSA");
            s.initSign(key);
            s.update(new byte[] {1, 2, 3});
            byte[] sig = s.sign();
            s.initVerify(cert.getPublicKey());
            s.update(new byte[] {1, 2, 3});
            assertThat(s.verify(sig)).as(name).isTrue();
        }
    }

    @Test
    void nettyLoadsTheFilesAsTlsMaterial() throws Exception {
        ClusterPki.issue(request(1, 1, List.of(), false));
        TlsConfig node = new TlsConfig(dir.resolve("node1.pem"), dir.resolve("node1-key.pem"), dir.resolve("ca.pem"),
                true);
        assertThat(node.serverContext().isServer()).isTrue();
        assertThat(node.clientContext().isClient()).isTrue();
    }

    @Test
    void aSecondRunKeepsEveryFileAndAddsOnlyWhatIsMissing() throws Exception {
        ClusterPki.issue(request(1, 1, List.of(), false));
        String ca = Files.readString(dir.resolve("ca.pem"));
        String node1 = Files.readString(dir.resolve("node1.pem"));
        List<ClusterPki.Outcome> second = ClusterPki.issue(request(2, 1, List.of(), false));
        assertThat(second).extracting(o -> o.file().getFileName() + " " + o.created())
                .containsExactly("ca.pem false", "node1.pem false", "node2.pem true", "gw1.pem false");
        assertThat(Files.readString(dir.resolve("ca.pem"))).isEqualTo(ca);
        assertThat(Files.readString(dir.resolve("node1.pem"))).isEqualTo(node1);
        ClusterPki.readCertificate(dir.resolve("node2.pem"))
                .verify(ClusterPki.readCertificate(dir.resolve("ca.pem")).getPublicKey());
    }

    @Test
    void forceRenewsTheLeavesWithTheSameCa() throws Exception {
        ClusterPki.issue(request(1, 1, List.of(), false));
        String ca = Files.readString(dir.resolve("ca.pem"));
        String node1 = Files.readString(dir.resolve("node1.pem"));
        ClusterPki.issue(request(1, 1, List.of(), true));
        assertThat(Files.readString(dir.resolve("ca.pem"))).isEqualTo(ca);
        assertThat(Files.readString(dir.resolve("node1.pem"))).isNotEqualTo(node1);
        ClusterPki.readCertificate(dir.resolve("node1.pem"))
                .verify(ClusterPki.readCertificate(dir.resolve("ca.pem")).getPublicKey());
    }

    @Test
    void aNewCaReissuesTheLeavesTheOldOneSigned() throws Exception {
        ClusterPki.issue(request(1, 0, List.of(), false));
        Files.delete(dir.resolve("ca-key.pem"));
        ClusterPki.issue(request(1, 0, List.of(), false));
        ClusterPki.readCertificate(dir.resolve("node1.pem"))
                .verify(ClusterPki.readCertificate(dir.resolve("ca.pem")).getPublicKey());
    }

    @Test
    void theToolReportsWhatItDidAndRefusesBadArguments() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = CertTool.run(new String[] {"--dir", dir.toString(), "--nodes", "1", "--gateways", "1",
                "--name", "10.0.0.7"}, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err));
        assertThat(status).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("created " + dir.resolve("node1.pem"));
        assertThat(sans(ClusterPki.readCertificate(dir.resolve("node1.pem")))).contains("7:10.0.0.7");

        assertThat(CertTool.run(new String[] {"--nodes", "1"}, new PrintStream(out), new PrintStream(err))).isEqualTo(2);
        assertThat(CertTool.run(new String[] {"--dir", "x", "--nodes", "two"}, new PrintStream(out),
                new PrintStream(err))).isEqualTo(2);
        assertThat(err.toString()).contains("--dir is required").contains("--nodes takes a number");
        assertThatThrownBy(() -> CertTool.parse(new String[] {"--dir", "x", "--name", "a b"}, NOW))
                .hasMessageContaining("not a host name");
        assertThatThrownBy(() -> CertTool.parse(new String[] {"--dir", "x", "--name", "a.*.b"}, NOW))
                .hasMessageContaining("not a host name");
        assertThat(CertTool.parse(new String[] {"--dir", "x", "--name", "*.pohmelfs-node.default.svc.cluster.local",
                "--name", "::1"}, NOW).extraNames()).hasSize(2);
    }

    @Test
    void ipLiteralsAreToldFromHostNamesWithoutLookingAnythingUp() {
        assertThat(ClusterPki.isIpLiteral("10.0.0.1")).isTrue();
        assertThat(ClusterPki.isIpLiteral("::1")).isTrue();
        assertThat(ClusterPki.isIpLiteral("node1")).isFalse();
        assertThat(ClusterPki.isIpLiteral("1.2.3.4.example")).isFalse();
    }

    private static List<String> sans(X509Certificate c) throws Exception {
        List<String> out = new ArrayList<>();
        for (List<?> san : c.getSubjectAlternativeNames()) {
            out.add(san.get(0) + ":" + san.get(1));
        }
        return out;
    }

    private static PrivateKey pkcs8(Path file) throws Exception {
        String b64 = Files.readString(file).replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
        return KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(b64)));
    }
}
