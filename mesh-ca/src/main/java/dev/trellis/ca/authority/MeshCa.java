package dev.trellis.ca.authority;

import dev.trellis.ca.pki.Pem;
import dev.trellis.ca.store.CaGeneration;
import dev.trellis.ca.store.CaMaterial;
import dev.trellis.ca.store.CaStore;
import dev.trellis.ca.store.RetiringRoot;
import dev.trellis.ca.store.RevokedCertificate;
import dev.trellis.naming.CloudMapNames;
import dev.trellis.naming.SpiffeId;
import java.math.BigInteger;
import java.net.URI;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.CertificateException;
import java.security.cert.X509CRL;
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
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.CRLDistPoint;
import org.bouncycastle.asn1.x509.CRLNumber;
import org.bouncycastle.asn1.x509.DistributionPoint;
import org.bouncycastle.asn1.x509.DistributionPointName;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509v2CRLBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CRLConverter;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v2CRLBuilder;
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
 * <p>Leaves carry, besides the SPIFFE URI SAN peers are verified by, a DNS SAN with the service's mesh
 * host name ({@code orders.shop.local}), for clients that check host names, and, when a
 * {@linkplain Builder#crlDistributionPoint CRL URL} is set, a CRL distribution point. Leaves are
 * revoked by serial ({@link #revoke}) or by identity ({@link #revokeIdentity}); the revoked set is
 * stored with the roots, and {@link #revocationList()} is the CRL signed by the active root.
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
    /** How long a CRL is valid (its nextUpdate) unless the builder says otherwise; re-signed at half of it. */
    public static final Duration DEFAULT_CRL_LIFETIME = Duration.ofHours(1);
    /** Where proxies and the CRL distribution point find the CRL on the controller. */
    public static final String CRL_PATH = "/v1/crl";

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
    private final String namespace;
    private final Supplier<Optional<URI>> crlDistributionPoint;
    private final Duration crlLifetime;
    /**
     * Serial to (identity, notAfter) of the unexpired leaves this process signed, so that an identity
     * can be revoked. In memory only: storing every issue would cost a Secrets Manager write per
     * renewal; leaves signed before a restart are revoked by serial instead.
     */
    private final Map<BigInteger, IssuedLeaf> issuedLeaves = new ConcurrentHashMap<>();
    private final LongAdder issuedSincePrune = new LongAdder();
    private volatile SignedCrl crl;
    private long lastCrlNumber;

    private record IssuedLeaf(SpiffeId identity, Instant notAfter) {
    }

    private record SignedCrl(X509CRL crl, long number, Instant signedAt, List<RevokedCertificate> revoked) {
    }

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
        this.namespace = builder.namespace != null ? builder.namespace : CloudMapNames.namespace(builder.mesh);
        this.crlDistributionPoint = builder.crlDistributionPoint;
        this.crlLifetime = builder.crlLifetime;
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

    /** The DNS name leaves of {@code service} carry: its host in the mesh's namespace, such as {@code orders.shop.local}. */
    public String hostNameOf(String service) {
        return service + "." + namespace;
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
        BigInteger serial = serial();
        try {
            JcaX509ExtensionUtils extensions = new JcaX509ExtensionUtils();
            X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(
                    root, serial, Date.from(now.minus(CLOCK_SKEW)), Date.from(notAfter),
                    new X500Name("O=Trellis, OU=" + mesh + ", CN=" + identity.service()), publicKey)
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyAgreement))
                    .addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(
                            new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth}))
                    .addExtension(Extension.subjectAlternativeName, false,
                            new GeneralNames(new GeneralName[] {
                                    new GeneralName(GeneralName.uniformResourceIdentifier, identity.uri()),
                                    new GeneralName(GeneralName.dNSName, hostNameOf(identity.service()))}))
                    .addExtension(Extension.subjectKeyIdentifier, false, extensions.createSubjectKeyIdentifier(publicKey))
                    .addExtension(Extension.authorityKeyIdentifier, false, extensions.createAuthorityKeyIdentifier(root));
            Optional<URI> crlUrl = crlDistributionPoint.get();
            if (crlUrl.isPresent()) {
                builder.addExtension(Extension.cRLDistributionPoints, false, new CRLDistPoint(new DistributionPoint[] {
                        new DistributionPoint(new DistributionPointName(new GeneralNames(
                                new GeneralName(GeneralName.uniformResourceIdentifier, crlUrl.get().toString()))), null, null)}));
            }
            X509Certificate leaf = CONVERTER.getCertificate(builder.build(current.activeKey().newSigner()));
            remember(serial, identity, notAfter);
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
        save(new CaMaterial(material.active(), Optional.of(next), material.retiring(), material.revoked()), state.activeKey());
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
        save(new CaMaterial(next, Optional.empty(), retiring, material.revoked()), keys.open(next.key()));
        return next.certificate();
    }

    /** What {@link #rotateIfDue(Duration)} did. */
    public enum ScheduledRotation {
        /** Nothing: the active root has more than the threshold left, or a staged root is still being distributed. */
        NONE,
        /** The active root had less than the threshold left: a next root was staged. */
        STAGED,
        /** A root staged at least one leaf lifetime ago (every proxy has renewed since) now signs. */
        ACTIVATED
    }

    /**
     * A rotation on a schedule, for the controller to call periodically: stages a next root once the
     * active root has less than {@code renewBefore} left, and activates it once it has been in the
     * trust bundle for one leaf lifetime plus {@link #CLOCK_SKEW} (by then every proxy renewed at least
     * once and trusts it). Staging time is read from the staged root itself (its notBefore), so a
     * controller restart does not reset the wait.
     *
     * @throws IllegalArgumentException if {@code renewBefore} is under two leaf lifetimes (the old root
     *         could expire before the new one signs) or not shorter than the root lifetime less two leaf
     *         lifetimes (the new root would itself be due at once)
     */
    public synchronized ScheduledRotation rotateIfDue(Duration renewBefore) {
        // At least two leaf lifetimes: the staged root waits one before it signs, the old one must outlive that.
        if (renewBefore == null || renewBefore.compareTo(leafLifetime.multipliedBy(2)) < 0
                || renewBefore.compareTo(rootLifetime.minus(leafLifetime.multipliedBy(2))) >= 0) {
            throw new IllegalArgumentException("renewBefore: " + renewBefore + " (expected: at least two leaf lifetimes, "
                    + leafLifetime.multipliedBy(2) + ", and shorter than the root lifetime " + rootLifetime + " less two leaf lifetimes)");
        }
        CaMaterial material = state.material();
        Instant now = clock.instant();
        if (material.next().isPresent()) {
            Instant stagedAt = material.next().get().certificate().getNotBefore().toInstant().plus(CLOCK_SKEW);
            if (!now.isBefore(stagedAt.plus(leafLifetime).plus(CLOCK_SKEW))) {
                activateNextRoot();
                return ScheduledRotation.ACTIVATED;
            }
            return ScheduledRotation.NONE;
        }
        Instant activeNotAfter = material.active().certificate().getNotAfter().toInstant();
        if (now.plus(renewBefore).isAfter(activeNotAfter)) {
            stageNextRoot();
            return ScheduledRotation.STAGED;
        }
        return ScheduledRotation.NONE;
    }

    /** Both stages at once: a new root signs now, the old one stays trusted through the overlap. */
    public synchronized X509Certificate rotate() {
        if (state.material().next().isEmpty()) {
            stageNextRoot();
        }
        return activateNextRoot();
    }

    /**
     * Revokes the leaf with {@code serial}: stored at once, on the next {@link #revocationList()}.
     * A serial this process did not sign (before a restart) is revoked too, kept for one leaf lifetime.
     *
     * @return the entry, or the existing one when the serial was revoked already
     */
    public synchronized RevokedCertificate revoke(BigInteger serial) {
        CaMaterial material = state.material();
        for (RevokedCertificate entry : material.revoked()) {
            if (entry.serial().equals(serial)) {
                return entry;
            }
        }
        Instant now = clock.instant();
        IssuedLeaf leaf = issuedLeaves.get(serial);
        RevokedCertificate entry = leaf != null
                ? new RevokedCertificate(serial, Optional.of(leaf.identity().uri()), now, leaf.notAfter())
                : new RevokedCertificate(serial, Optional.empty(), now, now.plus(leafLifetime).plus(CLOCK_SKEW));
        List<RevokedCertificate> revoked = new ArrayList<>(unexpired(material.revoked(), now));
        revoked.add(entry);
        save(material.withRevoked(revoked), state.activeKey());
        return entry;
    }

    /**
     * Revokes every unexpired leaf this process signed for {@code identity}; new leaves for it are
     * still signed (the service proves itself again with a new key).
     *
     * @return the entries added, one per leaf; empty when it had none
     */
    public synchronized List<RevokedCertificate> revokeIdentity(SpiffeId identity) {
        Instant now = clock.instant();
        CaMaterial material = state.material();
        List<RevokedCertificate> revoked = new ArrayList<>(unexpired(material.revoked(), now));
        List<RevokedCertificate> added = new ArrayList<>();
        issuedLeaves.forEach((serial, leaf) -> {
            if (leaf.identity().equals(identity) && leaf.notAfter().isAfter(now)
                    && revoked.stream().noneMatch(entry -> entry.serial().equals(serial))) {
                added.add(new RevokedCertificate(serial, Optional.of(identity.uri()), now, leaf.notAfter()));
            }
        });
        if (!added.isEmpty()) {
            revoked.addAll(added);
            save(material.withRevoked(revoked), state.activeKey());
        }
        return List.copyOf(added);
    }

    /** The revoked leaves not yet expired: what the CRL lists. */
    public List<RevokedCertificate> revoked() {
        return unexpired(state.material().revoked(), clock.instant());
    }

    /**
     * The CRL: signed by the active root, every unexpired revoked serial, a CRL number that grows
     * with every new CRL, nextUpdate one CRL lifetime after thisUpdate. Signed again when the revoked
     * set changed or half its lifetime has passed; the same CRL otherwise.
     */
    public X509CRL revocationList() {
        SignedCrl cached = crl;
        Instant now = clock.instant();
        List<RevokedCertificate> revoked = revoked();
        if (cached != null && cached.revoked().equals(revoked)
                && now.isBefore(cached.signedAt().plus(crlLifetime.dividedBy(2)))) {
            return cached.crl();
        }
        return signCrl(now, revoked);
    }

    private synchronized X509CRL signCrl(Instant now, List<RevokedCertificate> revoked) {
        State current = state;
        X509Certificate root = current.material().active().certificate();
        // Time-based, so that it keeps growing across restarts without being stored.
        long number = Math.max(now.toEpochMilli(), lastCrlNumber + 1);
        try {
            X509v2CRLBuilder builder = new JcaX509v2CRLBuilder(root, Date.from(now))
                    .setNextUpdate(Date.from(now.plus(crlLifetime)))
                    .addExtension(Extension.cRLNumber, false, new CRLNumber(BigInteger.valueOf(number)))
                    .addExtension(Extension.authorityKeyIdentifier, false,
                            new JcaX509ExtensionUtils().createAuthorityKeyIdentifier(root));
            for (RevokedCertificate entry : revoked) {
                builder.addCRLEntry(entry.serial(), Date.from(entry.revokedAt()), 0);
            }
            X509CRL signed = new JcaX509CRLConverter().getCRL(builder.build(current.activeKey().newSigner()));
            lastCrlNumber = number;
            crl = new SignedCrl(signed, number, now, revoked);
            return signed;
        } catch (CertIOException | java.security.cert.CRLException | CertificateException
                | java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("signing the CRL of mesh " + mesh + " failed", e);
        }
    }

    private void remember(BigInteger serial, SpiffeId identity, Instant notAfter) {
        issuedLeaves.put(serial, new IssuedLeaf(identity, notAfter));
        issuedSincePrune.increment();
        // Amortized: one pass every 1024 leaves keeps the ledger at about the live leaves.
        if (issuedSincePrune.sum() >= 1024) {
            issuedSincePrune.reset();
            Instant now = clock.instant();
            issuedLeaves.values().removeIf(leaf -> !leaf.notAfter().isAfter(now));
        }
    }

    private static List<RevokedCertificate> unexpired(List<RevokedCertificate> revoked, Instant now) {
        return revoked.stream().filter(entry -> entry.expiresBy().isAfter(now)).toList();
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
        private String namespace;
        private Supplier<Optional<URI>> crlDistributionPoint = Optional::empty;
        private Duration crlLifetime = DEFAULT_CRL_LIFETIME;

        private Builder() {
        }

        /**
         * The DNS namespace of the mesh's services, for the DNS SAN of leaves ({@code <service>.<namespace>});
         * {@link CloudMapNames#namespace(String)} of the mesh ({@code <mesh>.local}) by default.
         */
        public Builder namespace(String namespace) {
            this.namespace = namespace;
            return this;
        }

        /** The URL of the CRL ({@code <controller>/v1/crl}) that leaves name as their CRL distribution point. */
        public Builder crlDistributionPoint(URI url) {
            Objects.requireNonNull(url, "url");
            return crlDistributionPoint(() -> Optional.of(url));
        }

        /**
         * As {@link #crlDistributionPoint(URI)}, read for every leaf: for a controller whose port is
         * known only once it listens. Empty: leaves carry no distribution point. None by default.
         */
        public Builder crlDistributionPoint(Supplier<Optional<URI>> url) {
            this.crlDistributionPoint = Objects.requireNonNull(url, "url");
            return this;
        }

        /** How long a CRL is valid (nextUpdate - thisUpdate), 1 minute to 7 days; 1 hour by default. */
        public Builder crlLifetime(Duration crlLifetime) {
            this.crlLifetime = crlLifetime;
            return this;
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
            if (namespace != null && !LABEL.matcher(namespace).matches()) {
                throw new IllegalArgumentException("namespace: " + namespace + " (expected: a DNS name such as shop.local)");
            }
            if (crlLifetime == null || crlLifetime.compareTo(Duration.ofMinutes(1)) < 0 || crlLifetime.compareTo(Duration.ofDays(7)) > 0) {
                throw new IllegalArgumentException("crlLifetime: " + crlLifetime + " (expected: PT1M..P7D)");
            }
            return new MeshCa(this);
        }
    }
}
