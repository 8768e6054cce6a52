package dev.trellis.ca.testing;

import dev.trellis.ca.pki.Csrs;
import dev.trellis.ca.pki.KeyPairs;
import dev.trellis.ca.pki.Pem;
import dev.trellis.naming.SpiffeId;

/** CSR PEM for tests. */
public final class Csr {
    private Csr() {
    }

    /** A PEM CSR for {@code identity} with a fresh key. */
    public static String pem(SpiffeId identity) {
        return Pem.encodeCsr(Csrs.create(KeyPairs.generateP256(), identity));
    }
}
