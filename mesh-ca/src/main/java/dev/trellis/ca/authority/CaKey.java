package dev.trellis.ca.authority;

import dev.trellis.ca.store.KeyReference;
import java.security.PublicKey;
import org.bouncycastle.operator.ContentSigner;

/** A CA signing key, wherever its private half lives. */
public interface CaKey {

    /** The public half, placed in the root certificate. */
    PublicKey publicKey();

    /** A fresh signer for one certificate (ECDSA with SHA-256). */
    ContentSigner newSigner();

    /** How to find this key again, persisted in the {@link dev.trellis.ca.store.CaStore}. */
    KeyReference reference();
}
