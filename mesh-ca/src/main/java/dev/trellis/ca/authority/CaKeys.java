package dev.trellis.ca.authority;

import dev.trellis.ca.store.KeyReference;
import software.amazon.awssdk.services.kms.KmsClient;

/** Makes and reopens CA signing keys: in memory (persisted as PKCS#8 PEM) or in AWS KMS. */
public interface CaKeys {

    /** A new key for a new root. */
    CaKey generate();

    /** The key a stored reference points to. */
    CaKey open(KeyReference reference);

    /** EC P-256 keys generated in this JVM and stored, as PEM, with the CA material. */
    static CaKeys local() {
        return new LocalCaKeys();
    }

    /**
     * Keys that never leave AWS KMS: new roots get a new {@code ECC_NIST_P256} / {@code SIGN_VERIFY} key,
     * and every certificate is signed with {@code kms:Sign} ({@code ECDSA_SHA_256}, message type RAW).
     * Local keys (PEM references) still open, so a mesh can move from local keys to KMS at its next rotation.
     */
    static CaKeys kms(KmsClient kms) {
        return new KmsCaKeys(kms);
    }
}
