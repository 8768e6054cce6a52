package dev.trellis.ca.tls;

import dev.trellis.ca.pki.SpiffeSans;
import dev.trellis.naming.SpiffeId;
import java.security.GeneralSecurityException;
import java.security.InvalidAlgorithmParameterException;
import java.security.cert.CertPathValidator;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateFactory;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.Date;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Decides whether a peer's certificate chain carries a mesh identity: the leaf is inside its
 * validity window, the chain leads to a root of the trust bundle, and the leaf has exactly one URI
 * SAN, a {@link SpiffeId} of this trust domain (and, when calling a service, the one expected for it),
 * and the leaf is not on the mesh CA's revocation list ({@link RevocationCheck}). Every refusal is counted in {@link PeerRejections} and logged with its reason.
 */
public final class PeerVerifier {

    private static final System.Logger LOG = System.getLogger(PeerVerifier.class.getName());

    private final String trustDomain;
    private final List<X509Certificate> trustBundle;
    private final Set<TrustAnchor> anchors = new HashSet<>();
    private final PeerRejections rejections;
    private final Clock clock;
    private final RevocationCheck revocations;

    private PeerVerifier(String trustDomain, List<X509Certificate> trustBundle, PeerRejections rejections, Clock clock,
                         RevocationCheck revocations) {
        this.trustDomain = Objects.requireNonNull(trustDomain, "trustDomain");
        this.trustBundle = List.copyOf(trustBundle);
        if (this.trustBundle.isEmpty()) {
            throw new IllegalArgumentException("trustBundle: empty (expected: at least one mesh root)");
        }
        for (X509Certificate root : this.trustBundle) {
            anchors.add(new TrustAnchor(root, null));
        }
        this.rejections = Objects.requireNonNull(rejections, "rejections");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.revocations = Objects.requireNonNull(revocations, "revocations");
    }

    /** A verifier for peers of {@code trustDomain} chaining to {@code trustBundle}, counting into {@code rejections}. */
    public static PeerVerifier of(String trustDomain, List<X509Certificate> trustBundle, PeerRejections rejections) {
        return new PeerVerifier(trustDomain, trustBundle, rejections, Clock.systemUTC(), RevocationCheck.none());
    }

    /** As {@link #of(String, List, PeerRejections)}, judging validity windows by {@code clock}. */
    public static PeerVerifier of(String trustDomain, List<X509Certificate> trustBundle, PeerRejections rejections, Clock clock) {
        return new PeerVerifier(trustDomain, trustBundle, rejections, clock, RevocationCheck.none());
    }

    /** As {@link #of(String, List, PeerRejections, Clock)}, refusing leaves {@code revocations} says are revoked. */
    public static PeerVerifier of(String trustDomain, List<X509Certificate> trustBundle, PeerRejections rejections, Clock clock,
                                  RevocationCheck revocations) {
        return new PeerVerifier(trustDomain, trustBundle, rejections, clock, revocations);
    }

    /** The roots this verifier accepts. */
    public List<X509Certificate> trustBundle() {
        return trustBundle;
    }

    /**
     * The peer's identity if its chain is acceptable.
     *
     * @param chain the peer's chain, leaf first
     * @param expected the identity the peer must have (client side), or empty for any identity of the trust domain
     * @throws PeerRejectedException with the reason, counted and logged
     */
    public SpiffeId verify(List<X509Certificate> chain, Optional<SpiffeId> expected) throws PeerRejectedException {
        try {
            return check(chain, expected);
        } catch (PeerRejectedException e) {
            rejections.record(e.reason());
            LOG.log(System.Logger.Level.WARNING, "peer certificate refused: {0}: {1}", e.reason(), e.getMessage());
            throw e;
        }
    }

    private SpiffeId check(List<X509Certificate> chain, Optional<SpiffeId> expected) throws PeerRejectedException {
        if (chain == null || chain.isEmpty()) {
            throw new PeerRejectedException(PeerRejection.NO_CERTIFICATE,
                    "peer certificate: none (expected: a mesh certificate)");
        }
        X509Certificate leaf = chain.get(0);
        Date now = Date.from(clock.instant());
        try {
            leaf.checkValidity(now);
        } catch (CertificateExpiredException e) {
            throw new PeerRejectedException(PeerRejection.EXPIRED, "peer certificate notAfter: "
                    + leaf.getNotAfter().toInstant() + " (expected: after " + now.toInstant() + ")", e);
        } catch (CertificateNotYetValidException e) {
            throw new PeerRejectedException(PeerRejection.NOT_YET_VALID, "peer certificate notBefore: "
                    + leaf.getNotBefore().toInstant() + " (expected: before " + now.toInstant() + ")", e);
        }
        if (isSelfSigned(leaf) && !trustBundle.contains(leaf)) {
            throw new PeerRejectedException(PeerRejection.SELF_SIGNED, "peer certificate issuer: "
                    + leaf.getIssuerX500Principal() + ", self-signed (expected: signed by a mesh root)");
        }
        validatePath(chain, now);
        SpiffeId identity = spiffeId(leaf);
        // After the path check: only a leaf the mesh CA signed can be revoked by it.
        if (revocations.isRevoked(leaf)) {
            String message = "peer certificate serial: " + leaf.getSerialNumber().toString(16) + " of " + identity
                    + " (expected: not on the mesh CA's revocation list, " + revocations + ")";
            // The cause's reason is what makes BoringSSL and the JDK send the certificate_revoked alert.
            throw new PeerRejectedException(PeerRejection.REVOKED, message, new CertPathValidatorException(message, null, null, -1,
                    CertPathValidatorException.BasicReason.REVOKED));
        }
        if (expected.isPresent() && !expected.get().equals(identity)) {
            throw new PeerRejectedException(PeerRejection.WRONG_IDENTITY, "peer identity: " + identity
                    + " (expected: " + expected.get() + ")");
        }
        return identity;
    }

    private void validatePath(List<X509Certificate> chain, Date now) throws PeerRejectedException {
        try {
            PKIXParameters parameters = new PKIXParameters(anchors);
            parameters.setRevocationEnabled(false);
            parameters.setDate(now);
            // A peer may append a root to its chain; the path must not contain the anchor itself.
            List<X509Certificate> path = chain.stream().filter(c -> !trustBundle.contains(c)).toList();
            CertPathValidator.getInstance("PKIX").validate(
                    CertificateFactory.getInstance("X.509").generateCertPath(path), parameters);
        } catch (CertPathValidatorException e) {
            throw new PeerRejectedException(PeerRejection.WRONG_CA, "peer certificate issuer: "
                    + chain.get(0).getIssuerX500Principal() + " (expected: a chain to one of "
                    + trustBundle.size() + " mesh roots: " + e.getReason() + ", " + e.getMessage() + ")", e);
        } catch (InvalidAlgorithmParameterException e) {
            throw new IllegalStateException("trust bundle unusable as PKIX anchors", e);
        } catch (GeneralSecurityException e) {
            throw new PeerRejectedException(PeerRejection.WRONG_CA, "peer certificate chain: unreadable ("
                    + e.getMessage() + ")", e);
        }
    }

    private SpiffeId spiffeId(X509Certificate leaf) throws PeerRejectedException {
        List<String> uris = SpiffeSans.uris(leaf);
        if (uris.size() != 1) {
            throw new PeerRejectedException(PeerRejection.WRONG_SAN, "peer certificate URI SANs: " + uris
                    + " (expected: exactly one spiffe://" + trustDomain + "/mesh/<mesh>/service/<name>)");
        }
        SpiffeId identity;
        try {
            identity = SpiffeId.parse(uris.get(0));
        } catch (IllegalArgumentException e) {
            throw new PeerRejectedException(PeerRejection.WRONG_SAN, "peer certificate URI SAN: " + uris.get(0)
                    + " (expected: spiffe://" + trustDomain + "/mesh/<mesh>/service/<name>)", e);
        }
        if (!trustDomain.equals(identity.trustDomain())) {
            throw new PeerRejectedException(PeerRejection.WRONG_SAN, "peer trust domain: " + identity.trustDomain()
                    + " (expected: " + trustDomain + ")");
        }
        return identity;
    }

    private static boolean isSelfSigned(X509Certificate certificate) {
        // By signature, not by name: a forger need not copy the subject into the issuer.
        try {
            certificate.verify(certificate.getPublicKey());
            return true;
        } catch (GeneralSecurityException e) {
            return false;
        }
    }
}
