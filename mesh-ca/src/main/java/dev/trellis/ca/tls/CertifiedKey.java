package dev.trellis.ca.tls;

import dev.trellis.naming.SpiffeId;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * A proxy's private key with the certificate chain the mesh CA signed for it, and the trust bundle
 * that came with it. Immutable; a renewal produces a new one.
 */
public record CertifiedKey(SpiffeId identity, PrivateKey privateKey, List<X509Certificate> chain,
                           List<X509Certificate> trustBundle) {
    public CertifiedKey {
        Objects.requireNonNull(identity, "identity");
        Objects.requireNonNull(privateKey, "privateKey");
        chain = List.copyOf(chain);
        trustBundle = List.copyOf(trustBundle);
        if (chain.isEmpty() || trustBundle.isEmpty()) {
            throw new IllegalArgumentException("chain, trustBundle: " + chain.size() + ", " + trustBundle.size()
                    + " certificates (expected: at least one each)");
        }
    }

    /** The leaf certificate. */
    public X509Certificate leaf() {
        return chain.get(0);
    }

    /** When the leaf expires. */
    public Instant notAfter() {
        return leaf().getNotAfter().toInstant();
    }

    /** When the leaf became valid. */
    public Instant notBefore() {
        return leaf().getNotBefore().toInstant();
    }

    @Override
    public String toString() {
        return "CertifiedKey{" + identity + ", notAfter=" + notAfter() + ", serial=" + leaf().getSerialNumber().toString(16) + "}";
    }
}
