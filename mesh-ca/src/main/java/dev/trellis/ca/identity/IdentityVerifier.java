package dev.trellis.ca.identity;

import dev.trellis.ca.api.IdentityProof;
import dev.trellis.naming.SpiffeId;

/**
 * Turns a caller's proof into the mesh identity it proves. May block on network calls (STS, the
 * Kubernetes API): call it off event-loop threads.
 */
@FunctionalInterface
public interface IdentityVerifier {

    /**
     * The identity {@code proof} proves.
     *
     * @param requested the identity the caller asks a certificate for; only proofs that vouch for a
     *                  whole mesh rather than one workload (the bootstrap token) use it
     * @throws IdentityRefusedException if the proof proves nothing, or cannot be checked now
     */
    SpiffeId verify(IdentityProof proof, SpiffeId requested) throws IdentityRefusedException;
}
