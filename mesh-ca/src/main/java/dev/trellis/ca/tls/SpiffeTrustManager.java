package dev.trellis.ca.tls;

import dev.trellis.naming.SpiffeId;
import java.net.Socket;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Hands every handshake's peer chain to a {@link PeerVerifier}; no host name checks, the SPIFFE ID is
 * the identity. Server side accepts any identity of the trust domain (authorization comes later, from
 * {@link PeerIdentity}); client side only the one expected for the service called.
 */
final class SpiffeTrustManager extends X509ExtendedTrustManager {
    private final PeerVerifier verifier;
    private final Optional<SpiffeId> expectedServer;
    private final X509Certificate[] acceptedIssuers;

    SpiffeTrustManager(PeerVerifier verifier, Optional<SpiffeId> expectedServer) {
        this.verifier = verifier;
        this.expectedServer = expectedServer;
        this.acceptedIssuers = verifier.trustBundle().toArray(X509Certificate[]::new);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        verifier.verify(chain == null ? List.of() : List.of(chain), Optional.empty());
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        verifier.verify(chain == null ? List.of() : List.of(chain), expectedServer);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
        checkClientTrusted(chain, authType);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
        checkServerTrusted(chain, authType);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
        checkClientTrusted(chain, authType);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
        checkServerTrusted(chain, authType);
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return acceptedIssuers.clone();
    }
}
