package dev.trellis.ca.tls;

import java.security.cert.X509Certificate;

/** Whether a peer's leaf, already verified to chain to a mesh root, has been revoked by the mesh CA. */
@FunctionalInterface
public interface RevocationCheck {

    /** True if {@code leaf} must be refused. Called on every handshake: no blocking, no I/O. */
    boolean isRevoked(X509Certificate leaf);

    /** Nothing is revoked: for meshes without revocation and for tests. */
    static RevocationCheck none() {
        return new RevocationCheck() {
            @Override
            public boolean isRevoked(X509Certificate leaf) {
                return false;
            }

            @Override
            public String toString() {
                return "no revocation list";
            }
        };
    }
}
