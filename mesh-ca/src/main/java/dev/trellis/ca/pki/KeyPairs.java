package dev.trellis.ca.pki;

import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;

/** EC P-256 key pairs: the only key type the mesh issues for, small and fast in TLS 1.3. */
public final class KeyPairs {

    /** The JCA signature algorithm used with these keys. */
    public static final String SIGNATURE_ALGORITHM = "SHA256withECDSA";

    private static final int P256_FIELD_BITS = 256;

    private KeyPairs() {
    }

    /** A fresh EC P-256 (secp256r1) key pair. */
    public static KeyPair generateP256() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"));
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("EC P-256 key generation is not available in this JVM", e);
        }
    }

    /** Whether the key is an EC key on a 256-bit curve (P-256 is the only one JCA offers at that size). */
    public static boolean isP256(PublicKey key) {
        return key instanceof ECPublicKey ec
                && ec.getParams().getCurve().getField().getFieldSize() == P256_FIELD_BITS;
    }
}
