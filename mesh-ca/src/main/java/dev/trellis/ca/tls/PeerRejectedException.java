package dev.trellis.ca.tls;

import java.security.cert.CertificateException;
import java.util.Objects;

/** A peer certificate refused during the handshake, with the reason. */
public final class PeerRejectedException extends CertificateException {
    private static final long serialVersionUID = 1L;

    private final PeerRejection reason;

    public PeerRejectedException(PeerRejection reason, String message) {
        super(message);
        this.reason = Objects.requireNonNull(reason, "reason");
    }

    public PeerRejectedException(PeerRejection reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = Objects.requireNonNull(reason, "reason");
    }

    /** Why the peer was refused. */
    public PeerRejection reason() {
        return reason;
    }
}
