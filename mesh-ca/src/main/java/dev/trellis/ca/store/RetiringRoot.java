package dev.trellis.ca.store;

import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Objects;

/** A root that no longer signs but stays in the trust bundle until the leaves it signed have expired. */
public record RetiringRoot(X509Certificate certificate, Instant trustedUntil) {
    public RetiringRoot {
        Objects.requireNonNull(certificate, "certificate");
        Objects.requireNonNull(trustedUntil, "trustedUntil");
    }
}
