package dev.trellis.ca.testing;

import dev.trellis.ca.authority.IssuedCertificate;
import dev.trellis.ca.authority.MeshCa;
import dev.trellis.ca.pki.KeyPairs;
import dev.trellis.ca.pki.Pem;
import dev.trellis.ca.store.CaStore;
import dev.trellis.ca.store.KeyReference;
import dev.trellis.ca.tls.CertifiedKey;
import dev.trellis.naming.SpiffeId;
import java.math.BigInteger;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/** A mesh CA in memory, and certificates from it, good and deliberately bad, for tests. */
public final class TestMesh {
    public static final String TRUST_DOMAIN = "example.org";
    public static final String MESH = "shop";

    public final CaStore store = CaStore.inMemory();
    public final MeshCa ca;

    public TestMesh() {
        this(MeshCa.DEFAULT_LEAF_LIFETIME);
    }

    public TestMesh(Duration leafLifetime) {
        this.ca = MeshCa.builder().trustDomain(TRUST_DOMAIN).mesh(MESH).store(store).leafLifetime(leafLifetime).build();
    }

    public static SpiffeId id(String service) {
        return SpiffeId.of(TRUST_DOMAIN, MESH, service);
    }

    /** A good certificate for {@code service}, signed by the CA. */
    public CertifiedKey certify(String service) {
        KeyPair pair = KeyPairs.generateP256();
        IssuedCertificate issued = ca.issue(pair.getPublic(), id(service));
        return new CertifiedKey(id(service), pair.getPrivate(), issued.chain(), issued.trustBundle());
    }

    /** The CA's active private key. */
    public PrivateKey caKey() {
        KeyReference key = store.load().orElseThrow().active().key();
        return Pem.decodePrivateKey("key", ((KeyReference.Pkcs8Pem) key).pem());
    }

    /** A leaf signed by the CA, with exactly the validity and URI SANs given. */
    public CertifiedKey leaf(Instant notBefore, Instant notAfter, List<String> uris) {
        KeyPair pair = KeyPairs.generateP256();
        X509Certificate leaf = build(X500Name.getInstance(ca.activeRoot().getSubjectX500Principal().getEncoded()), caKey(),
                pair, notBefore, notAfter, uris);
        return new CertifiedKey(id("orders"), pair.getPrivate(), List.of(leaf), ca.trustBundle());
    }

    /** A leaf that signs itself, with a mesh-looking SAN. */
    public CertifiedKey selfSigned(String service) {
        KeyPair pair = KeyPairs.generateP256();
        X509Certificate leaf = build(new X500Name("CN=" + service), pair.getPrivate(), pair,
                Instant.now().minusSeconds(60), Instant.now().plusSeconds(3600), List.of(id(service).uri()));
        return new CertifiedKey(id(service), pair.getPrivate(), List.of(leaf), ca.trustBundle());
    }

    private static X509Certificate build(X500Name issuer, PrivateKey signer, KeyPair subject, Instant notBefore,
                                         Instant notAfter, List<String> uris) {
        try {
            X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(issuer, BigInteger.valueOf(System.nanoTime()),
                    Date.from(notBefore), Date.from(notAfter), new X500Name("CN=test leaf"), subject.getPublic())
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
            if (!uris.isEmpty()) {
                builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(uris.stream()
                        .map(uri -> new GeneralName(GeneralName.uniformResourceIdentifier, uri)).toArray(GeneralName[]::new)));
            }
            return new JcaX509CertificateConverter().getCertificate(
                    builder.build(new JcaContentSignerBuilder(KeyPairs.SIGNATURE_ALGORITHM).build(signer)));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
