package dev.trellis.ca.authority;

import dev.trellis.ca.pki.Pem;
import dev.trellis.ca.store.CaGeneration;
import dev.trellis.ca.store.CaMaterial;
import dev.trellis.ca.store.CaStore;
import dev.trellis.ca.store.RetiringRoot;
import dev.trellis.naming.SpiffeId;
import java.math.BigInteger;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;

/**
 * The certificate authority of one mesh: signs leaf certificates whose only URI SAN is a
 * {@link SpiffeId} of this mesh, and publishes the trust bundle proxies verify peers with.
 *
 * <p>Roots are self-signed EC P-256. Rotation has two stages so that no proxy ever sees a peer
 * certificate it cannot verify:
 * <ol>
 *   <li>{@link #stageNextRoot()}: a new root joins the trust bundle but does not sign yet. Proxies
 *       pick up the new bundle with their next renewal (within one leaf lifetime).</li>
 *   <li>{@link #activateNextRoot()}: the new root signs; the old one stays in the bundle, as a
 *       retiring root, for one leaf lifetime plus the clock-skew allowance, until every leaf it
 *       signed has expired.</li>
 * </ol>
 * {@link #rotate()} does both at once, for when there is no time to wait (a leaked key).
 *
 * <p>Thread-safe; signing takes no lock, rotation is serialized.
 */
public final class MeshCa {

    /** Leaf lifetime unless the builder says otherwise. */
    public static final Duration DEFAULT_LEAF_LIFETIME = Duration.ofHours(24);
    /** Root lifetime unless the builder says otherwise. */
    public static final Duration DEFAULT_ROOT_LIFETIME = Duration.ofDays(365);
    /** Leaves are back-dated by this much, so a peer whose clock is slightly behind accepts them. */
    public static final Duration CLOCK_SKEW = Duration.ofMinutes(1);

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final JcaX509CertificateConverter CONVERTER = new JcaX509CertificateConverter();
    private static final DateTimeFormatter GENERATION = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

    private final String trustDomain;
    private final String mesh;
    private final CaStore store;
    private final CaKeys keys;
    private final Duration leafLifetime;
    private final Duration rootLifetime;
    private final Clock clock;

    /** The material and the opened active key; replaced as a whole on rotation. */
    private volatile State state;

    private record State(CaMaterial material, CaKey activeKey) {
    }

    private MeshCa(Builder builder) {
        this.trustDomain = builder.trustDomain;
        this.mesh = builder.mesh;
        this.store = builder.store;
        this.keys = builder.keys;
        this.leafLifetime = builder.leafLifetime;
        this.rootLifetime = builder.rootLifetime;
        this.clock = builder.clock;
        Optional<CaMaterial> stored = store.load();
        if (stored.isPresent()) {
            CaMaterial material = stored.get();
            this.state = new State(material, keys.open(material.active().key()));
        } else {
            CaKey key = keys.generate();
            CaMaterial material = CaMaterial.of(new CaGeneration(selfSign(key), key.reference()));
            store.save(material);
            this.state = new State(material, key);
        }
    }

    /** A builder; trust domain, mesh and store are required. */
    public static Builder builder() {
        return new Builder();
    }

    /** The identity of {@code service} in this mesh. */
    public SpiffeId identityOf(String service) {
        return SpiffeId.of(trustDomain, mesh, service);
    }

    /** The trust domain, such as {@code example.org}. */
    public String trustDomain() {
        return trustDomain;
    }

    /** The mesh name. */
    public String mesh() {
        return mesh;
    }

    /** How long a leaf is valid. */
    public Duration leafLifetime() {
        return leafLifetime;
    }

    /** The root that signs leaves now. */
    public X509Certificate activeRoot() {
        return state.material().active().certificate();
    }

    /** Every root a proxy must trust now: the active root, a staged next root, and retiring roots still in overlap. */
    public List<X509Certificate> trustBundle() {
        CaMaterial material = state.material();
        Instant now = clock.instant();
        List<X509Certificate> bundle = new ArrayList<>();
        bundle.add(material.active().certificate());
        material.next().ifPresent(next -> bundle.add(next.certificate()));
        for (RetiringRoot old : material.retiring()) {
            if (now.isBefore(old.trustedUntil())) {
                bundle.add(old.certificate());
            }
        }
        return List.copyOf(bundle);
    }

    /** {@link #trustBundle()} as PEM, what proxies are given. */
    public String trustBundlePem() {
        return Pem.encodeCertificates(trustBundle());
    }

    /**
     * Signs a leaf for {@code identity} over {@code publicKey}: valid from now (less {@link #CLOCK_SKEW})
     * for the leaf lifetime, never past the root's own expiry. The caller has already proven the identity.
     *
     * @throws IllegalArgumentException if the identity belongs to another trust domain or mesh
     */
    public IssuedCertificate issue(PublicKey publicKey, SpiffeId identity) {
        if (!trustDomain.equals(identity.trustDomain()) || !mesh.equals(identity.mesh())) {
            throw new IllegalArgumentException("identity: " + identity
                    + " (expected: spiffe://" + trustDomain + "/mesh/" + mesh + "/service/<name>)");
        }
        State current = state;
        X509Certificate root = current.material().active().certificate();
        Instant now = clock.instant();
        Instant notAfter = now.plus(leafLifetime);
        if (notAfter.isAfter(root.getNotAfter().toInstant())) {
            notAfter = root.getNotAfter().toInstant();
        }
        try {
            JcaX509ExtensionUtils extensions = new JcaX509ExtensionUtils();
            X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(
                    root, serial(), Date.from(now.minus(CLOCK_SKEW)), Date.from(notAfter),
                    new X500Name("O=Trellis, OU=" + mesh + ", CN=" + identity.service()), publicKey)
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyAgreement))
                    .addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(
                            new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth}))
                    .addExtension(Extension.subjectAlternativeName, false,
                            new GeneralNames(new GeneralName(GeneralName.uniformResourceIdentifier, identity.uri())))
                    .addExtension(Extension.subjectKeyIdentifier, false, extensions.createSubjectKeyIdentifier(publicKey))
                    .addExtension(Extension.authorityKeyIdentifier, false, extensions.createAuthorityKeyIdentifier(root));
            X509Certificate leaf = CONVERTER.getCertificate(builder.build(current.activeKey().newSigner()));
            return new IssuedCertificate(List.of(leaf), trustBundle(), notAfter);
        } catch (CertIOException | CertificateException | java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("signing a leaf for " + identity + " failed", e);
        }
    }

    /**
     * Stage one of a rotation: a new root, in the trust bundle from now on, not signing yet.
     *
     * @throws IllegalStateException if a next root is already staged
     */
    public synchronized X509Certificate stageNextRoot() {
        CaMaterial material = state.material();
        if (material.next().isPresent()) {
            throw new IllegalStateException("next root: already staged, " + material.next().get().certificate().getSubjectX500Principal()
                    + " (expected: activateNextRoot() before staging another)");
        }
        CaKey key = keys.generate();
        CaGeneration next = new CaGeneration(selfSign(key), key.reference());
        save(new CaMaterial(material.active(), Optional.of(next), material.retiring()), state.activeKey());
        return next.certificate();
    }

    /**
     * Stage two: the staged root signs from now on; the old active root stays trusted for one leaf
     * lifetime plus {@link #CLOCK_SKEW}, the longest any leaf it signed can still be valid.
     *
     * @throws IllegalStateException if no next root is staged
     */
    public synchronized X509Certificate activateNextRoot() {
        CaMaterial material = state.material();
        CaGeneration next = material.next().orElseThrow(() -> new IllegalStateException(
                "next root: none staged (expected: stageNextRoot() first)"));
        Instant now = clock.instant();
        List<RetiringRoot> retiring = new ArrayList<>();
        for (RetiringRoot old : material.retiring()) {
            if (now.isBefore(old.trustedUntil())) {
                retiring.add(old);
            }
        }
        retiring.add(new RetiringRoot(material.active().certificate(), now.plus(leafLifetime).plus(CLOCK_SKEW)));
        save(new CaMaterial(next, Optional.empty(), retiring), keys.open(next.key()));
        return next.certificate();
    }

    /** Both stages at once: a new root signs now, the old one stays trusted through the overlap. */
    public synchronized X509Certificate rotate() {
        if (state.material().next().isEmpty()) {
            stageNextRoot();
        }
        return activateNextRoot();
    }

    private void save(CaMaterial material, CaKey activeKey) {
        store.save(material);
        state = new State(material, activeKey);
    }

    private X509Certificate selfSign(CaKey key) {
        Instant now = clock.instant();
        X500Name name = new X500Name("O=Trellis, OU=" + mesh + ", CN=Trellis mesh CA " + GENERATION.format(now));
        try {
            JcaX509ExtensionUtils extensions = new JcaX509ExtensionUtils();
            X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(
                    name, serial(), Date.from(now.minus(CLOCK_SKEW)), Date.from(now.plus(rootLifetime)), name, key.publicKey())
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(true))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign))
                    .addExtension(Extension.subjectAlternativeName, false,
                            new GeneralNames(new GeneralName(GeneralName.uniformResourceIdentifier, "spiffe://" + trustDomain)))
                    .addExtension(Extension.subjectKeyIdentifier, false, extensions.createSubjectKeyIdentifier(key.publicKey()));
            return CONVERTER.getCertificate(builder.build(key.newSigner()));
        } catch (CertIOException | CertificateException | java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("creating a root for mesh " + mesh + " failed", e);
        }
    }

    private static BigInteger serial() {
        return new BigInteger(127, RANDOM).add(BigInteger.ONE);
    }

    @Override
    public String toString() {
        return "MeshCa{spiffe://" + trustDomain + "/mesh/" + mesh + ", store=" + store + "}";
    }

    /** Builds a {@link MeshCa}: loads the stored material, or creates and stores a first root. */
    public static final class Builder {
        private static final java.util.regex.Pattern LABEL = java.util.regex.Pattern.compile("[A-Za-z0-9._-]+");

        private String trustDomain;
        private String mesh;
        private CaStore store;
        private CaKeys keys = CaKeys.local();
        private Duration leafLifetime = DEFAULT_LEAF_LIFETIME;
        private Duration rootLifetime = DEFAULT_ROOT_LIFETIME;
        private Clock clock = Clock.systemUTC();

        private Builder() {
        }

        /** The SPIFFE trust domain, such as {@code prod.example.com}. Required. */
        public Builder trustDomain(String trustDomain) {
            this.trustDomain = trustDomain;
            return this;
        }

        /** The mesh name. Required. */
        public Builder mesh(String mesh) {
            this.mesh = mesh;
            return this;
        }

        /** Where roots and keys are kept. Required. */
        public Builder store(CaStore store) {
            this.store = store;
            return this;
        }

        /** How keys are made and opened; {@link CaKeys#local()} by default. */
        public Builder keys(CaKeys keys) {
            this.keys = keys;
            return this;
        }

        /** Leaf lifetime, 1 second to 30 days; 24 hours by default. */
        public Builder leafLifetime(Duration leafLifetime) {
            this.leafLifetime = leafLifetime;
            return this;
        }

        /** Root lifetime, at least 7 days; 365 days by default. */
        public Builder rootLifetime(Duration rootLifetime) {
            this.rootLifetime = rootLifetime;
            return this;
        }

        /** The clock; the system UTC clock by default. */
        public Builder clock(Clock clock) {
            this.clock = clock;
            return this;
        }

        /**
         * Validates, then loads the CA from the store (or creates and saves a first root).
         *
         * @throws IllegalArgumentException naming the setting, the value and what was expected
         */
        public MeshCa build() {
            if (trustDomain == null || !LABEL.matcher(trustDomain).matches()) {
                throw new IllegalArgumentException("trustDomain: " + trustDomain + " (expected: a DNS-like name such as example.org)");
            }
            if (mesh == null || !LABEL.matcher(mesh).matches()) {
                throw new IllegalArgumentException("mesh: " + mesh + " (expected: a mesh name of letters, digits, '.', '_', '-')");
            }
            Objects.requireNonNull(store, "store");
            Objects.requireNonNull(keys, "keys");
            Objects.requireNonNull(clock, "clock");
            if (leafLifetime == null || leafLifetime.compareTo(Duration.ofSeconds(1)) < 0 || leafLifetime.compareTo(Duration.ofDays(30)) > 0) {
                throw new IllegalArgumentException("leafLifetime: " + leafLifetime + " (expected: PT1S..P30D)");
            }
            if (rootLifetime == null || rootLifetime.compareTo(Duration.ofDays(7)) < 0) {
                throw new IllegalArgumentException("rootLifetime: " + rootLifetime + " (expected: at least P7D)");
            }
            return new MeshCa(this);
        }
    }
}
