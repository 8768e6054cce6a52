package dev.trellis.ca.identity;

import dev.trellis.ca.api.IdentityProof;
import dev.trellis.naming.SpiffeId;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * One verifier per proof kind: the controller accepts exactly the kinds it was given verifiers for
 * (say {@code aws-sts} on ECS, {@code k8s-token} on EKS, {@code bootstrap} in local mode).
 */
public final class IdentityVerifiers implements IdentityVerifier {

    private final Map<String, IdentityVerifier> byKind;

    private IdentityVerifiers(Map<String, IdentityVerifier> byKind) {
        this.byKind = Map.copyOf(byKind);
    }

    /** A builder; at least one kind is required. */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public SpiffeId verify(IdentityProof proof, SpiffeId requested) throws IdentityRefusedException {
        IdentityVerifier verifier = byKind.get(proof.kind());
        if (verifier == null) {
            throw IdentityRefusedException.refused("proof.kind: " + proof.kind()
                    + " (expected: one of " + new TreeMap<>(byKind).keySet() + ", the kinds this mesh CA accepts)");
        }
        return verifier.verify(proof, requested);
    }

    @Override
    public String toString() {
        return "IdentityVerifiers" + new TreeMap<>(byKind).keySet();
    }

    /** Builds {@link IdentityVerifiers}. */
    public static final class Builder {
        private final Map<String, IdentityVerifier> byKind = new TreeMap<>();

        private Builder() {
        }

        /** Accepts {@code aws-sts} proofs (ECS task roles). */
        public Builder awsSts(AwsStsVerifier verifier) {
            byKind.put(IdentityProof.AwsSts.KIND, Objects.requireNonNull(verifier, "verifier"));
            return this;
        }

        /** Accepts {@code k8s-token} proofs (EKS service accounts). */
        public Builder kubernetes(KubernetesTokenVerifier verifier) {
            byKind.put(IdentityProof.KubernetesToken.KIND, Objects.requireNonNull(verifier, "verifier"));
            return this;
        }

        /** Accepts {@code bootstrap} proofs (local mode). */
        public Builder bootstrap(BootstrapTokenVerifier verifier) {
            byKind.put(IdentityProof.BootstrapToken.KIND, Objects.requireNonNull(verifier, "verifier"));
            return this;
        }

        public IdentityVerifiers build() {
            if (byKind.isEmpty()) {
                throw new IllegalArgumentException("verifiers: none (expected: at least one of awsSts, kubernetes, bootstrap)");
            }
            return new IdentityVerifiers(byKind);
        }
    }
}
