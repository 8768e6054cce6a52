package dev.trellis.ca.store;

import java.math.BigInteger;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * A leaf the mesh CA revoked: listed on its CRL until {@code expiresBy}, after which the leaf is
 * invalid anyway and the entry is dropped. {@code identity} is empty when the serial was revoked
 * without the CA knowing the leaf (issued before a controller restart).
 */
public record RevokedCertificate(BigInteger serial, Optional<String> identity, Instant revokedAt, Instant expiresBy) {
    public RevokedCertificate {
        Objects.requireNonNull(serial, "serial");
        Objects.requireNonNull(identity, "identity");
        Objects.requireNonNull(revokedAt, "revokedAt");
        Objects.requireNonNull(expiresBy, "expiresBy");
        if (serial.signum() <= 0) {
            throw new IllegalArgumentException("serial: " + serial + " (expected: a positive certificate serial number)");
        }
    }
}
