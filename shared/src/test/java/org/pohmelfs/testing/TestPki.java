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
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
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

    /** A certificate for {@code cn}, valid for 127.0.0.1 and localhost, signed by this CA. */
    public Leaf issue(String cn) {
        try {
            KeyPair keys = keys();
            X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(caCert, serial(), notBefore(), notAfter(),
                    new X500Name("CN=" + cn), keys.getPublic());
            b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[] {
                    new GeneralName(GeneralName.iPAddress, "127.0.0.1"),
                    new GeneralName(GeneralName.dNSName, "localhost")}));
            b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment));
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
        return Date.from(Instant.now().minus(Duration.ofHours(1)));
    }

    private static Date notAfter() {
        return Date.from(Instant.now().plus(Duration.ofDays(2)));
    }

    private static void writePem(Path file, Object o) throws IOException {
        Writer text = new StringWriter();
        try (JcaPEMWriter w = new JcaPEMWriter(text)) {
            w.writeObject(o);
        }
        Files.writeString(file, text.toString());
    }
}
