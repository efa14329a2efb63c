package org.pohmelfs.transport;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.Collection;
import java.util.List;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Who may be a peer on the native protocol: a certificate chain that ends at one of the
 * cluster's CAs (the JDK's PKIX checks: signatures, validity dates, basic constraints, and,
 * on the client side, that the node's certificate names the host dialled), and whose leaf
 * explicitly carries the extended key usage of its role: {@code clientAuth} for a client
 * (gateway, or a node resyncing from a peer), {@code serverAuth} for a node. The JDK accepts a
 * leaf without any EKU extension; this does not, so a certificate the CA issued for some other
 * purpose (say an operator's e-mail certificate) cannot open a connection.
 *
 * <p>Every refusal is a {@link CertificateException} whose message names the peer's subject
 * and the reason; the TLS layer reports it as the cause of the failed handshake, which both
 * sides log.
 */
final class PeerTrust extends X509ExtendedTrustManager {
    static final String CLIENT_AUTH = "1.3.6.1.5.5.7.3.2";
    static final String SERVER_AUTH = "1.3.6.1.5.5.7.3.1";

    private final X509ExtendedTrustManager pkix;

    private PeerTrust(X509ExtendedTrustManager pkix) {
        this.pkix = pkix;
    }

    /** Trusts the CA certificates of a PEM file (one or more). */
    static PeerTrust of(Path caPem) throws IOException {
        try (InputStream in = Files.newInputStream(caPem)) {
            Collection<? extends Certificate> cas = CertificateFactory.getInstance("X.509").generateCertificates(in);
            if (cas.isEmpty()) {
                throw new IOException("no certificate in " + caPem);
            }
            KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
            store.load(null, null);
            int i = 0;
            for (Certificate c : cas) {
                store.setCertificateEntry("ca" + i++, c);
            }
            TrustManagerFactory f = TrustManagerFactory.getInstance("PKIX");
            f.init(store);
            for (TrustManager tm : f.getTrustManagers()) {
                if (tm instanceof X509ExtendedTrustManager x) {
                    return new PeerTrust(x);
                }
            }
            throw new IOException("no X.509 trust manager for " + caPem);
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot read the trusted CA " + caPem + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
            throws CertificateException {
        try {
            pkix.checkClientTrusted(chain, authType, engine);
        } catch (CertificateException e) {
            throw refused("client", chain, e);
        }
        requireUsage("client", chain, CLIENT_AUTH, "clientAuth");
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
            throws CertificateException {
        try {
            pkix.checkServerTrusted(chain, authType, engine);
        } catch (CertificateException e) {
            throw refused("node", chain, e);
        }
        requireUsage("node", chain, SERVER_AUTH, "serverAuth");
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
            throws CertificateException {
        try {
            pkix.checkClientTrusted(chain, authType, socket);
        } catch (CertificateException e) {
            throw refused("client", chain, e);
        }
        requireUsage("client", chain, CLIENT_AUTH, "clientAuth");
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
            throws CertificateException {
        try {
            pkix.checkServerTrusted(chain, authType, socket);
        } catch (CertificateException e) {
            throw refused("node", chain, e);
        }
        requireUsage("node", chain, SERVER_AUTH, "serverAuth");
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        try {
            pkix.checkClientTrusted(chain, authType);
        } catch (CertificateException e) {
            throw refused("client", chain, e);
        }
        requireUsage("client", chain, CLIENT_AUTH, "clientAuth");
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        try {
            pkix.checkServerTrusted(chain, authType);
        } catch (CertificateException e) {
            throw refused("node", chain, e);
        }
        requireUsage("node", chain, SERVER_AUTH, "serverAuth");
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return pkix.getAcceptedIssuers();
    }

    private static CertificateException refused(String role, X509Certificate[] chain, CertificateException e) {
        return new CertificateException(role + " certificate " + subject(chain) + " not trusted: " + reason(e), e);
    }

    /**
     * Why PKIX refused, in words: expired and not-yet-valid certificates are named as such;
     * otherwise the innermost message (the outer layers repeat their causes' class names).
     */
    static String reason(Throwable e) {
        Throwable t = e;
        String message = String.valueOf(e.getMessage());
        while (t != null) {
            if (t instanceof java.security.cert.CertificateExpiredException) {
                return "certificate expired (" + t.getMessage() + ")";
            }
            if (t instanceof java.security.cert.CertificateNotYetValidException) {
                return "certificate not yet valid (" + t.getMessage() + ")";
            }
            if (t != e && t.getMessage() != null) {
                message = t.getMessage();
            }
            t = t.getCause() == t ? null : t.getCause();
        }
        return message;
    }

    private static void requireUsage(String role, X509Certificate[] chain, String oid, String name)
            throws CertificateException {
        List<String> usages;
        try {
            usages = chain[0].getExtendedKeyUsage();
        } catch (CertificateParsingException e) {
            throw new CertificateException(role + " certificate " + subject(chain) + " refused: unreadable extended "
                    + "key usage", e);
        }
        if (usages == null || !usages.contains(oid)) {
            throw new CertificateException(role + " certificate " + subject(chain) + " refused: it lacks the extended "
                    + "key usage " + name + " (bin/pohmelfs certs issues certificates with it)");
        }
    }

    private static String subject(X509Certificate[] chain) {
        return chain == null || chain.length == 0 ? "(none)" : "'" + chain[0].getSubjectX500Principal().getName() + "'";
    }
}
