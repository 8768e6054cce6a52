package dev.trellis.ca.pki;

import dev.trellis.naming.SpiffeId;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.spec.X509EncodedKeySpec;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.List;
import org.bouncycastle.asn1.pkcs.Attribute;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.Extensions;
import org.bouncycastle.asn1.x509.ExtensionsGenerator;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.PKCSException;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;

/** PKCS#10 certification requests carrying one SPIFFE URI SAN. */
public final class Csrs {

    private Csrs() {
    }

    /** A request for {@code identity}, signed with the pair's private key (proof of possession). */
    public static PKCS10CertificationRequest create(KeyPair keyPair, SpiffeId identity) {
        try {
            ExtensionsGenerator extensions = new ExtensionsGenerator();
            extensions.addExtension(Extension.subjectAlternativeName, false,
                    new GeneralNames(new GeneralName(GeneralName.uniformResourceIdentifier, identity.uri())));
            ContentSigner signer = new JcaContentSignerBuilder(KeyPairs.SIGNATURE_ALGORITHM).build(keyPair.getPrivate());
            return new JcaPKCS10CertificationRequestBuilder(
                    new X500Name("O=Trellis, OU=" + identity.mesh() + ", CN=" + identity.service()), keyPair.getPublic())
                    .addAttribute(PKCSObjectIdentifiers.pkcs_9_at_extensionRequest, extensions.generate())
                    .build(signer);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (OperatorCreationException e) {
            throw new IllegalStateException("signing a CSR with " + KeyPairs.SIGNATURE_ALGORITHM + " failed", e);
        }
    }

    /** The request's public key. */
    public static PublicKey publicKey(PKCS10CertificationRequest csr) {
        // JCA names, not OIDs: the JDK's own providers do not know key factories by OID.
        var algorithm = csr.getSubjectPublicKeyInfo().getAlgorithm().getAlgorithm();
        String name = X9ObjectIdentifiers.id_ecPublicKey.equals(algorithm) ? "EC"
                : PKCSObjectIdentifiers.rsaEncryption.equals(algorithm) ? "RSA" : null;
        if (name == null) {
            throw new IllegalArgumentException("csrPem.publicKey: " + algorithm + " (expected: EC P-256)");
        }
        try {
            return KeyFactory.getInstance(name).generatePublic(new X509EncodedKeySpec(csr.getSubjectPublicKeyInfo().getEncoded()));
        } catch (java.security.GeneralSecurityException | IOException e) {
            throw new IllegalArgumentException("csrPem.publicKey: unreadable (expected: EC P-256)", e);
        }
    }

    /** Whether the request is signed by the private key matching its public key. */
    public static boolean isSignatureValid(PKCS10CertificationRequest csr) {
        try {
            return csr.isSignatureValid(new JcaContentVerifierProviderBuilder().build(publicKey(csr)));
        } catch (OperatorCreationException | PKCSException | IllegalArgumentException e) {
            return false;
        }
    }

    /** Every URI in the request's subjectAltName extension request, in order. */
    public static List<String> uriSans(PKCS10CertificationRequest csr) {
        List<String> uris = new ArrayList<>();
        for (Attribute attribute : csr.getAttributes(PKCSObjectIdentifiers.pkcs_9_at_extensionRequest)) {
            for (var value : attribute.getAttributeValues()) {
                Extensions extensions = Extensions.getInstance(value);
                GeneralNames names = GeneralNames.fromExtensions(extensions, Extension.subjectAlternativeName);
                if (names == null) {
                    continue;
                }
                for (GeneralName name : names.getNames()) {
                    if (name.getTagNo() == GeneralName.uniformResourceIdentifier) {
                        uris.add(name.getName().toString());
                    }
                }
            }
        }
        return uris;
    }
}
