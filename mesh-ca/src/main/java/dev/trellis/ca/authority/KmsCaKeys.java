package dev.trellis.ca.authority;

import dev.trellis.ca.store.KeyReference;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.util.Objects;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.DefaultSignatureAlgorithmIdentifierFinder;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.kms.model.KeySpec;
import software.amazon.awssdk.services.kms.model.KeyUsageType;
import software.amazon.awssdk.services.kms.model.MessageType;
import software.amazon.awssdk.services.kms.model.SigningAlgorithmSpec;

final class KmsCaKeys implements CaKeys {

    /** kms:Sign takes at most this many bytes as a RAW message; a leaf's TBSCertificate is far smaller. */
    private static final int MAX_RAW_MESSAGE = 4096;

    private final KmsClient kms;
    private final LocalCaKeys local = new LocalCaKeys();

    KmsCaKeys(KmsClient kms) {
        this.kms = Objects.requireNonNull(kms, "kms");
    }

    @Override
    public CaKey generate() {
        String keyId = kms.createKey(r -> r.keySpec(KeySpec.ECC_NIST_P256)
                .keyUsage(KeyUsageType.SIGN_VERIFY)
                .description("Trellis mesh CA root signing key"))
                .keyMetadata().arn();
        return open(KeyReference.kms(keyId));
    }

    @Override
    public CaKey open(KeyReference reference) {
        if (reference instanceof KeyReference.KmsKey kmsKey) {
            byte[] der = kms.getPublicKey(r -> r.keyId(kmsKey.keyId())).publicKey().asByteArray();
            try {
                PublicKey publicKey = KeyFactory.getInstance("EC").generatePublic(new X509EncodedKeySpec(der));
                return new KmsCaKey(kms, kmsKey, publicKey);
            } catch (GeneralSecurityException e) {
                throw new IllegalArgumentException("kmsKeyId: " + kmsKey.keyId()
                        + " (expected: an ECC_NIST_P256 SIGN_VERIFY key)", e);
            }
        }
        return local.open(reference);
    }

    private record KmsCaKey(KmsClient kms, KeyReference.KmsKey reference, PublicKey publicKey) implements CaKey {
        private static final AlgorithmIdentifier ECDSA_SHA256 =
                new DefaultSignatureAlgorithmIdentifierFinder().find("SHA256withECDSA");

        @Override
        public ContentSigner newSigner() {
            ByteArrayOutputStream tbs = new ByteArrayOutputStream();
            return new ContentSigner() {
                @Override
                public AlgorithmIdentifier getAlgorithmIdentifier() {
                    return ECDSA_SHA256;
                }

                @Override
                public OutputStream getOutputStream() {
                    return tbs;
                }

                @Override
                public byte[] getSignature() {
                    byte[] message = tbs.toByteArray();
                    if (message.length > MAX_RAW_MESSAGE) {
                        throw new IllegalStateException("to-be-signed: " + message.length
                                + " bytes (expected: at most " + MAX_RAW_MESSAGE + " for kms:Sign RAW)");
                    }
                    // RAW, not DIGEST: KMS hashes with SHA-256 itself (and moto hashes DIGEST input again).
                    return kms.sign(r -> r.keyId(reference.keyId())
                            .messageType(MessageType.RAW)
                            .message(SdkBytes.fromByteArray(message))
                            .signingAlgorithm(SigningAlgorithmSpec.ECDSA_SHA_256))
                            .signature().asByteArray();
                }
            };
        }
    }
}
