package dev.trellis.ca.authority;

import dev.trellis.ca.pki.KeyPairs;
import dev.trellis.ca.pki.Pem;
import dev.trellis.ca.store.KeyReference;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.interfaces.ECPrivateKey;
import java.security.spec.ECPoint;
import java.security.spec.ECPublicKeySpec;
import org.bouncycastle.jcajce.provider.asymmetric.util.EC5Util;
import org.bouncycastle.jce.spec.ECParameterSpec;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

final class LocalCaKeys implements CaKeys {

    @Override
    public CaKey generate() {
        KeyPair pair = KeyPairs.generateP256();
        return new LocalCaKey(pair.getPrivate(), pair.getPublic());
    }

    @Override
    public CaKey open(KeyReference reference) {
        if (!(reference instanceof KeyReference.Pkcs8Pem pem)) {
            throw new IllegalArgumentException("key: " + reference + " (expected: a PKCS#8 PEM key; use CaKeys.kms for KMS keys)");
        }
        PrivateKey key = Pem.decodePrivateKey("key", pem.pem());
        return new LocalCaKey(key, publicKeyOf(key));
    }

    /** The public key is Q = d·G; computing it saves storing it twice. */
    private static PublicKey publicKeyOf(PrivateKey key) {
        if (!(key instanceof ECPrivateKey ec)) {
            throw new IllegalArgumentException("key: " + key.getAlgorithm() + " (expected: an EC P-256 private key)");
        }
        try {
            ECParameterSpec bcSpec = EC5Util.convertSpec(ec.getParams());
            org.bouncycastle.math.ec.ECPoint q = bcSpec.getG().multiply(ec.getS()).normalize();
            ECPoint point = new ECPoint(q.getAffineXCoord().toBigInteger(), q.getAffineYCoord().toBigInteger());
            return KeyFactory.getInstance("EC").generatePublic(new ECPublicKeySpec(point, ec.getParams()));
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalArgumentException("key: unusable EC key (expected: an EC P-256 private key)", e);
        }
    }

    private record LocalCaKey(PrivateKey privateKey, PublicKey publicKey) implements CaKey {
        @Override
        public ContentSigner newSigner() {
            try {
                return new JcaContentSignerBuilder(KeyPairs.SIGNATURE_ALGORITHM).build(privateKey);
            } catch (OperatorCreationException e) {
                throw new IllegalStateException("signing with " + KeyPairs.SIGNATURE_ALGORITHM + " failed", e);
            }
        }

        @Override
        public KeyReference reference() {
            return KeyReference.pkcs8Pem(Pem.encodePrivateKey(privateKey));
        }

        @Override
        public String toString() {
            return "LocalCaKey[" + publicKey.getAlgorithm() + "]";
        }
    }
}
