package org.pohmelfs.transport.pki;

import java.io.IOException;
import java.io.Reader;
import java.io.StringWriter;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
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
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * The cluster's own certificate authority and the certificates it issues for mutual TLS on
 * the native protocol, as PEM files in one folder (what {@code bin/pohmelfs certs} writes):
 * <pre>
 *   ca.pem, ca-key.pem            the cluster CA (key 0600); every side trusts ca.pem
 *   node&lt;i&gt;.pem, node&lt;i&gt;-key.pem  storage node i: EKU serverAuth + clientAuth (a node is a
 *                                 client of its peers during resync)
 *   gw&lt;i&gt;.pem, gw&lt;i&gt;-key.pem      gateway i: EKU clientAuth + serverAuth (also usable for HTTPS)
 * </pre>
 * Every leaf names {@code DNS:<its name>}, {@code DNS:localhost}, {@code IP:127.0.0.1} and
 * the extra names given (an IP literal becomes an IP name, anything else a DNS name, a
 * leading {@code *.} a wildcard for one label). Keys are
 * EC P-256, PKCS#8 PEM (what Netty's {@code SslContextBuilder} reads), written 0600.
 *
 * <p>Idempotent: files that exist are kept; {@link Request#force} reissues the leaves with the
 * existing CA. A CA created by this run (none was there) reissues every leaf, since the old
 * leaves no longer chain to it. Time comes in as {@code now}, so tests can issue expired or
 * not-yet-valid certificates.
 */
public final class ClusterPki {
    public static final Duration DEFAULT_CA_VALIDITY = Duration.ofDays(3650);
    public static final Duration DEFAULT_LEAF_VALIDITY = Duration.ofDays(825);
    private static final Pattern NAME = Pattern.compile("(\\*\\.)?[A-Za-z0-9:][A-Za-z0-9.:-]*");

    /**
     * What to create.
     *
     * @param dir           the folder (created when missing)
     * @param nodes         node certificates node1..nodeN
     * @param gateways      gateway certificates gw1..gwN
     * @param extraNames    extra subject alternative names on every leaf (host names, IPs)
     * @param force         reissue existing leaves (the CA stays)
     * @param caValidity    validity of a new CA
     * @param leafValidity  validity of new leaves
     * @param now           the issuing time (leaves are valid from one hour before it)
     */
    public record Request(Path dir, int nodes, int gateways, List<String> extraNames, boolean force,
                          Duration caValidity, Duration leafValidity, Instant now) {
        public Request {
            if (nodes < 0 || gateways < 0) {
                throw new IllegalArgumentException("node and gateway counts cannot be negative");
            }
            extraNames = List.copyOf(extraNames);
            for (String n : extraNames) {
                if (!NAME.matcher(n).matches()) {
                    throw new IllegalArgumentException("not a host name or IP address: '" + n + "'");
                }
            }
        }

        public static Request of(Path dir, int nodes, int gateways) {
            return new Request(dir, nodes, gateways, List.of(), false, DEFAULT_CA_VALIDITY, DEFAULT_LEAF_VALIDITY,
                    Instant.now());
        }
    }

    /** One file and what happened to it. */
    public record Outcome(Path file, boolean created) {
    }

    private ClusterPki() {
    }

    /** Creates what is missing (or, with force, reissues the leaves); returns the certificate files. */
    public static List<Outcome> issue(Request r) throws IOException {
        try {
            Files.createDirectories(r.dir());
            List<Outcome> out = new ArrayList<>();
            Path caFile = r.dir().resolve("ca.pem");
            Path caKeyFile = r.dir().resolve("ca-key.pem");
            boolean newCa = !Files.exists(caFile) || !Files.exists(caKeyFile);
            X509Certificate ca;
            PrivateKey caKey;
            if (newCa) {
                KeyPair keys = keys();
                X500Name name = new X500Name("O=pohmelfs,CN=pohmelfs cluster CA");
                X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(name, serial(), notBefore(r.now()),
                        Date.from(r.now().plus(r.caValidity())), name, keys.getPublic());
                JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
                b.addExtension(Extension.basicConstraints, true, new BasicConstraints(0));
                b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
                b.addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(keys.getPublic()));
                ca = sign(b, keys.getPrivate());
                caKey = keys.getPrivate();
                write(caKeyFile, pem(new JcaPKCS8Generator(caKey, null).generate()), true);
                write(caFile, pem(ca), false);
            } else {
                ca = readCertificate(caFile);
                caKey = readKey(caKeyFile);
            }
            out.add(new Outcome(caFile, newCa));
            for (int i = 1; i <= r.nodes(); i++) {
                out.add(leaf(r, "node" + i, ca, caKey, newCa || r.force(), true));
            }
            for (int i = 1; i <= r.gateways(); i++) {
                out.add(leaf(r, "gw" + i, ca, caKey, newCa || r.force(), false));
            }
            return out;
        } catch (GeneralSecurityException | OperatorCreationException e) {
            throw new IOException("cannot issue certificates: " + e.getMessage(), e);
        }
    }

    private static Outcome leaf(Request r, String name, X509Certificate ca, PrivateKey caKey, boolean renew,
                                boolean node) throws IOException, GeneralSecurityException, OperatorCreationException {
        Path certFile = r.dir().resolve(name + ".pem");
        Path keyFile = r.dir().resolve(name + "-key.pem");
        if (!renew && Files.exists(certFile) && Files.exists(keyFile)) {
            return new Outcome(certFile, false);
        }
        KeyPair keys = keys();
        X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(ca, serial(), notBefore(r.now()),
                Date.from(r.now().plus(r.leafValidity())), new X500Name("O=pohmelfs,CN=" + name), keys.getPublic());
        JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
        b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
        b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
        b.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(node
                ? new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth}
                : new KeyPurposeId[] {KeyPurposeId.id_kp_clientAuth, KeyPurposeId.id_kp_serverAuth}));
        b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(names(name, r.extraNames())));
        b.addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(keys.getPublic()));
        b.addExtension(Extension.authorityKeyIdentifier, false, ext.createAuthorityKeyIdentifier(ca));
        X509Certificate cert = sign(b, caKey);
        write(keyFile, pem(new JcaPKCS8Generator(keys.getPrivate(), null).generate()), true);
        write(certFile, pem(cert), false);
        return new Outcome(certFile, true);
    }

    private static GeneralName[] names(String name, List<String> extra) {
        Set<String> all = new LinkedHashSet<>(List.of(name, "localhost", "127.0.0.1"));
        all.addAll(extra);
        List<GeneralName> names = new ArrayList<>();
        for (String n : all) {
            names.add(isIpLiteral(n) ? new GeneralName(GeneralName.iPAddress, n) : new GeneralName(GeneralName.dNSName, n));
        }
        return names.toArray(GeneralName[]::new);
    }

    /** An IPv4 or IPv6 literal (never a DNS look-up). */
    static boolean isIpLiteral(String s) {
        if (s.contains(":")) {
            return true;
        }
        if (!s.matches("\\d{1,3}(\\.\\d{1,3}){3}")) {
            return false;
        }
        try {
            return InetAddress.ofLiteral(s) != null;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** Reads the first certificate of a PEM file. */
    public static X509Certificate readCertificate(Path file) throws IOException {
        try (var in = Files.newInputStream(file)) {
            return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        } catch (GeneralSecurityException e) {
            throw new IOException("not a PEM certificate: " + file + ": " + e.getMessage(), e);
        }
    }

    /** Reads a PKCS#8 PEM private key. */
    public static PrivateKey readKey(Path file) throws IOException {
        try (Reader in = Files.newBufferedReader(file); PEMParser parser = new PEMParser(in)) {
            if (parser.readObject() instanceof PrivateKeyInfo info) {
                return new JcaPEMKeyConverter().getPrivateKey(info);
            }
            throw new IOException("not a PKCS#8 PEM private key: " + file);
        }
    }

    private static KeyPair keys() throws GeneralSecurityException {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        return g.generateKeyPair();
    }

    private static X509Certificate sign(X509v3CertificateBuilder b, PrivateKey issuer)
            throws OperatorCreationException, GeneralSecurityException {
        ContentSigner signer = new JcaContentSignerBuilder("SHA256withECDSA").build(issuer);
        return new JcaX509CertificateConverter().getCertificate(b.build(signer));
    }

    private static BigInteger serial() {
        return new BigInteger(127, new SecureRandom()).add(BigInteger.ONE);
    }

    private static Date notBefore(Instant now) {
        return Date.from(now.minus(Duration.ofHours(1)));
    }

    private static String pem(Object o) throws IOException {
        StringWriter text = new StringWriter();
        try (JcaPEMWriter w = new JcaPEMWriter(text)) {
            w.writeObject(o);
        }
        return text.toString();
    }

    /**
     * Writes through a temporary file in the same folder, created with its final permissions
     * (a key is never readable by others, not even for a moment), then moved into place.
     */
    private static void write(Path file, String content, boolean secret) throws IOException {
        Set<PosixFilePermission> perms = PosixFilePermissions.fromString(secret ? "rw-------" : "rw-r--r--");
        Path tmp = file.resolveSibling("." + file.getFileName() + ".tmp");
        Files.deleteIfExists(tmp);
        try {
            Files.createFile(tmp, PosixFilePermissions.asFileAttribute(perms));
        } catch (UnsupportedOperationException e) {
            Files.createFile(tmp);
        } catch (FileAlreadyExistsException e) {
            throw new IOException("another run is writing " + file, e);
        }
        Files.writeString(tmp, content);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
