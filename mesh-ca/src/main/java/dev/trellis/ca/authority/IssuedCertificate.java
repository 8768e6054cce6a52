package dev.trellis.ca.authority;

import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;

/** A signed leaf: {@code chain} starts with the leaf (the root is not repeated; it is in the trust bundle). */
public record IssuedCertificate(List<X509Certificate> chain, List<X509Certificate> trustBundle, Instant notAfter) {
    public IssuedCertificate {
        chain = List.copyOf(chain);
        trustBundle = List.copyOf(trustBundle);
    }

    /** The leaf certificate. */
    public X509Certificate leaf() {
        return chain.get(0);
    }
}
