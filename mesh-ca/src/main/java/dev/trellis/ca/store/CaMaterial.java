package dev.trellis.ca.store;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Everything the mesh CA persists: the {@code active} root that signs leaves, an optional {@code next}
 * root already published in the trust bundle but not yet signing (stage one of a rotation), the
 * {@code retiring} roots still trusted until their leaves have expired (stage two), and the
 * {@code revoked} leaves its CRL lists.
 */
public record CaMaterial(CaGeneration active, Optional<CaGeneration> next, List<RetiringRoot> retiring,
                         List<RevokedCertificate> revoked) {
    public CaMaterial {
        Objects.requireNonNull(active, "active");
        Objects.requireNonNull(next, "next");
        retiring = List.copyOf(retiring);
        revoked = List.copyOf(revoked);
    }

    /** Material without revoked leaves. */
    public CaMaterial(CaGeneration active, Optional<CaGeneration> next, List<RetiringRoot> retiring) {
        this(active, next, retiring, List.of());
    }

    /** This material with {@code revoked} as its revoked leaves. */
    public CaMaterial withRevoked(List<RevokedCertificate> revoked) {
        return new CaMaterial(active, next, retiring, revoked);
    }

    /** Material with only an active root. */
    public static CaMaterial of(CaGeneration active) {
        return new CaMaterial(active, Optional.empty(), List.of());
    }
}
