package dev.trellis.ca.store;

import java.util.Objects;

/** How a CA signing key is stored: as a PKCS#8 PEM beside its certificate, or as a KMS key that never leaves KMS. */
public sealed interface KeyReference {

    /** The private key itself, PKCS#8 PEM. */
    static KeyReference pkcs8Pem(String pem) {
        return new Pkcs8Pem(pem);
    }

    /** An AWS KMS asymmetric key (ECC_NIST_P256, SIGN_VERIFY) by id or ARN. */
    static KeyReference kms(String keyId) {
        return new KmsKey(keyId);
    }

    /** The private key, PKCS#8 PEM. */
    record Pkcs8Pem(String pem) implements KeyReference {
        public Pkcs8Pem {
            Objects.requireNonNull(pem, "pem");
        }

        @Override
        public String toString() {
            return "Pkcs8Pem[redacted]";
        }
    }

    /** A KMS key id or ARN. */
    record KmsKey(String keyId) implements KeyReference {
        public KmsKey {
            Objects.requireNonNull(keyId, "keyId");
        }
    }
}
