package org.pohmelfs.testing;

import java.io.IOException;
import java.io.StringWriter;
import java.io.Writer;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A throw-away PKI for tests: a CA and leaf certificates for 127.0.0.1/localhost, written as
 * PEM files, so TLS tests run real mutual TLS with real files.
 */
public final class TestPki {
    private final Path dir;
    private final KeyPair caKeys;
    private final X509Certificate caCert;

    /** A leaf's files. */
    public record Leaf(Path certificate, Path privateKey, Path ca) {
    }

    public TestPki(Path dir, String caName) {
        try {
            this.dir = Files.createDirectories(dir);
            this.caKeys = keys();
            X500Name name = new X500Name("CN=" + caName);
            X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(name, serial(), notBefore(), notAfter(),
                    name, caKeys.getPublic());
            b.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
            b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
            this.caCert = sign(b, caKeys);
            writePem(ca(), caCert);
        } catch (IOException | GeneralSecurityException | OperatorCreationException e) {
            throw new IllegalStateException(e);
        }
    }

    public Path ca() {
        return dir.resolve("ca.pem");
    }

    /**
     * A certificate for {@code cn}, valid for 127.0.0.1 and localhost, signed by this CA, with the
     * extended key usages serverAuth and clientAuth (as {@code bin/pohmelfs certs} issues them).
     */
    public Leaf issue(String cn) {
        return issue(cn, List.of("127.0.0.1", "localhost"),
                List.of(KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth), Instant.now());
    }

    /**
     * A certificate with the subject alternative names {@code names} (IP literals as IP names),
     * the extended key usages {@code usages} (empty: no EKU extension at all), valid from one
     * hour before {@code now} to two days after it (a {@code now} three days ago: expired).
     */
    public Leaf issue(String cn, List<String> names, List<KeyPurposeId> usages, Instant now) {
        try {
            KeyPair keys = keys();
            X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(caCert, serial(), notBefore(now), notAfter(now),
                    new X500Name("CN=" + cn), keys.getPublic());
            b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(names.stream()
                    .map(n -> new GeneralName(n.matches("[0-9.]+") ? GeneralName.iPAddress : GeneralName.dNSName, n))
                    .toArray(GeneralName[]::new)));
            b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment));
            if (!usages.isEmpty()) {
                b.addExtension(Extension.extendedKeyUsage, false,
                        new ExtendedKeyUsage(usages.toArray(KeyPurposeId[]::new)));
            }
            X509Certificate cert = sign(b, caKeys);
            Path certFile = dir.resolve(cn + ".crt.pem");
            Path keyFile = dir.resolve(cn + ".key.pem");
            writePem(certFile, cert);
            writePem(keyFile, new JcaPKCS8Generator(keys.getPrivate(), null).generate());
            return new Leaf(certFile, keyFile, ca());
        } catch (IOException | GeneralSecurityException | OperatorCreationException e) {
            throw new IllegalStateException(e);
        }
    }

    private static KeyPair keys() throws GeneralSecurityException {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(256);
        return g.generateKeyPair();
    }

    private static X509Certificate sign(X509v3CertificateBuilder b, KeyPair issuer)
            throws OperatorCreationException, GeneralSecurityException {
        ContentSigner signer = new JcaContentSignerBuilder("SHA256withECDSA").build(issuer.getPrivate());
        return new JcaX509CertificateConverter().getCertificate(b.build(signer));
    }

    private static BigInteger serial() {
        return new BigInteger(64, new SecureRandom());
    }

    private static Date notBefore() {
        return notBefore(Instant.now());
    }

    private static Date notAfter() {
        return notAfter(Instant.now());
    }

    private static Date notBefore(Instant now) {
        return Date.from(now.minus(Duration.ofHours(1)));
    }

    private static Date notAfter(Instant now) {
        return Date.from(now.plus(Duration.ofDays(2)));
    }

    private static void writePem(Path file, Object o) throws IOException {
        Writer text = new StringWriter();
        try (JcaPEMWriter w = new JcaPEMWriter(text)) {
            w.writeObject(o);
        }
        Files.writeString(file, text.toString());
    }
}
