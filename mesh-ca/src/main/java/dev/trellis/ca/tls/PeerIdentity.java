package dev.trellis.ca.tls;

import dev.trellis.ca.pki.SpiffeSans;
import dev.trellis.naming.SpiffeId;
import io.netty.channel.Channel;
import io.netty.handler.ssl.SslHandler;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

/**
 * The caller's mesh identity on the server side, for authorization: the SPIFFE ID of the client
 * certificate, which the handshake already verified. Empty when the caller sent no certificate
 * (PERMISSIVE) or the connection is plaintext.
 */
public final class PeerIdentity {

    private PeerIdentity() {
    }

    /** The peer's identity in a completed TLS session. */
    public static Optional<SpiffeId> of(SSLSession session) {
        if (session == null) {
            return Optional.empty();
        }
        Certificate[] chain;
        try {
            chain = session.getPeerCertificates();
        } catch (SSLPeerUnverifiedException e) {
            return Optional.empty();
        }
        if (chain.length == 0 || !(chain[0] instanceof X509Certificate leaf)) {
            return Optional.empty();
        }
        List<String> uris = SpiffeSans.uris(leaf);
        if (uris.size() != 1) {
            return Optional.empty();
        }
        try {
            return Optional.of(SpiffeId.parse(uris.get(0)));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /** The peer's identity on a channel whose pipeline holds a handshaken {@link SslHandler}. */
    public static Optional<SpiffeId> of(Channel channel) {
        SslHandler ssl = channel.pipeline().get(SslHandler.class);
        if (ssl == null || !ssl.handshakeFuture().isSuccess()) {
            return Optional.empty();
        }
        return of(ssl.engine().getSession());
    }
}
