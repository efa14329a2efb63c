package org.pohmelfs.transport;

import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.net.ssl.SSLException;

/**
 * TLS material for the native protocol, from PEM files: this side's certificate chain and
 * private key, and the CA that signs the peers it trusts. Both directions authenticate
 * (mutual TLS): a node asks every client for a certificate signed by {@code trustedCa}, and a
 * client checks the node's certificate against the same CA.
 *
 * @param certificate PEM certificate chain of this side
 * @param privateKey  PEM private key (PKCS#8) of this side
 * @param trustedCa   PEM certificate(s) of the CA(s) whose peers are trusted
 * @param required    on a node: refuse plaintext clients; on a client: always use TLS
 */
public record TlsConfig(Path certificate, Path privateKey, Path trustedCa, boolean required) {

    public TlsConfig {
        for (Path p : new Path[] {certificate, privateKey, trustedCa}) {
            if (p == null || !Files.isReadable(p)) {
                throw new IllegalArgumentException("TLS file is missing or unreadable: " + p);
            }
        }
    }

    /**
     * A server context that requires client certificates that chain to {@code trustedCa} and
     * carry the extended key usage clientAuth ({@link PeerTrust}).
     */
    public SslContext serverContext() throws SSLException {
        return SslContextBuilder.forServer(certificate.toFile(), privateKey.toFile())
                .trustManager(trust())
                .clientAuth(ClientAuth.REQUIRE)
                .protocols("TLSv1.3")
                .build();
    }

    /**
     * A client context that presents this side's certificate and verifies the node's: it must
     * chain to {@code trustedCa}, carry the extended key usage serverAuth, and name the host
     * dialled (endpoint identification as for HTTPS: the host or IP of the node's address in
     * the cluster map must be one of the certificate's subject alternative names).
     */
    public SslContext clientContext() throws SSLException {
        return SslContextBuilder.forClient()
                .keyManager(certificate.toFile(), privateKey.toFile())
                .trustManager(trust())
                .endpointIdentificationAlgorithm("HTTPS")
                .protocols("TLSv1.3")
                .build();
    }

    private PeerTrust trust() throws SSLException {
        try {
            return PeerTrust.of(trustedCa);
        } catch (java.io.IOException e) {
            throw new SSLException(e.getMessage(), e);
        }
    }
}
