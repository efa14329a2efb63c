package org.pohmelfs.transport;

import java.security.cert.CertificateException;
import javax.net.ssl.SSLHandshakeException;

/** Turns a failed TLS handshake into one line that says why, for the logs of both sides. */
public final class TlsFailures {
    private TlsFailures() {
    }

    /**
     * The reason: this side's refusal of the peer's certificate ({@link PeerTrust} names the
     * certificate and the cause), or the peer's refusal of ours (a TLS alert received), or the
     * TLS layer's own message.
     */
    public static String reason(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof CertificateException c && c.getMessage() != null
                    && c.getMessage().contains(" certificate ")) {
                return c.getMessage();
            }
        }
        String message = String.valueOf(failure.getMessage());
        if (failure instanceof SSLHandshakeException && message.startsWith("Received fatal alert")) {
            return "the peer refused this side's certificate or TLS settings (" + message + ")";
        }
        if (message.contains("Empty client certificate chain")) {
            return "the peer presented no client certificate (a TLS client only offers a certificate issued by a "
                    + "CA this side trusts: its certificate is from another CA, or it has none) (" + message + ")";
        }
        if (message.contains("No subject alternative") || message.contains("No name matching")) {
            return "the certificate does not name the address dialled (" + message + ")";
        }
        return message;
    }
}
