package dev.trellis.ca.identity;

import dev.trellis.ca.api.IdentityProof;
import dev.trellis.naming.SpiffeId;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * Local mode: one shared secret per mesh. Whoever knows it may be any service of that mesh, so it
 * proves the requested identity as long as it is in this mesh. Never use it on shared infrastructure.
 */
public final class BootstrapTokenVerifier implements IdentityVerifier {

    private static final int MIN_SECRET_LENGTH = 16;

    private final String trustDomain;
    private final String mesh;
    private final byte[] secretDigest;

    private BootstrapTokenVerifier(String trustDomain, String mesh, String secret) {
        this.trustDomain = trustDomain;
        this.mesh = mesh;
        this.secretDigest = sha256(secret);
    }

    /**
     * A verifier for the mesh's secret.
     *
     * @throws IllegalArgumentException if the secret is shorter than 16 characters
     */
    public static BootstrapTokenVerifier of(String trustDomain, String mesh, String secret) {
        if (secret == null || secret.length() < MIN_SECRET_LENGTH) {
            throw new IllegalArgumentException("bootstrap secret: " + (secret == null ? "null" : secret.length() + " characters")
                    + " (expected: at least " + MIN_SECRET_LENGTH + " characters)");
        }
        return new BootstrapTokenVerifier(trustDomain, mesh, secret);
    }

    @Override
    public SpiffeId verify(IdentityProof proof, SpiffeId requested) throws IdentityRefusedException {
        if (!(proof instanceof IdentityProof.BootstrapToken bootstrap) || bootstrap.token() == null) {
            throw IdentityRefusedException.refused("proof.token: missing (expected: the mesh's bootstrap token)");
        }
        // Digests first: equal lengths, so the comparison's time says nothing about the secret.
        if (!MessageDigest.isEqual(secretDigest, sha256(bootstrap.token()))) {
            throw IdentityRefusedException.refused("proof.token: [redacted] (expected: the bootstrap token of mesh " + mesh + ")");
        }
        if (!trustDomain.equals(requested.trustDomain()) || !mesh.equals(requested.mesh())) {
            throw IdentityRefusedException.refused("identity: " + requested
                    + " (expected: spiffe://" + trustDomain + "/mesh/" + mesh + "/service/<name>, the mesh this token is for)");
        }
        return requested;
    }

    private static byte[] sha256(String value) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    @Override
    public String toString() {
        return "BootstrapTokenVerifier{mesh=" + mesh + "}";
    }
}
