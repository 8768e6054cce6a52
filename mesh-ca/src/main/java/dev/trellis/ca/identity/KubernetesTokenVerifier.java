package dev.trellis.ca.identity;

import dev.trellis.ca.api.IdentityProof;
import dev.trellis.naming.SpiffeId;
import dev.trellis.naming.WorkloadLabels;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.authentication.TokenReview;
import io.fabric8.kubernetes.api.model.authentication.TokenReviewBuilder;
import io.fabric8.kubernetes.api.model.authentication.TokenReviewStatus;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * The {@code k8s-token} proof: the service account token is sent to the Kubernetes TokenReview API;
 * the authenticated {@code system:serviceaccount:<namespace>:<name>} becomes a mesh service through
 * the configured map ({@code namespace/name → service}), or else through the
 * {@value WorkloadLabels#SERVICE} annotation of the pod the token is bound to (projected tokens name
 * their pod). The map is the stricter choice: whoever may create pods in a namespace may annotate them.
 */
public final class KubernetesTokenVerifier implements IdentityVerifier {

    /** The extra field in a TokenReview's user info naming the pod a bound token belongs to. */
    public static final String POD_NAME_EXTRA = "authentication.kubernetes.io/pod-name";
    private static final String SERVICE_ACCOUNT_PREFIX = "system:serviceaccount:";

    private final KubernetesClient client;
    private final List<String> audiences;
    private final String trustDomain;
    private final String mesh;
    private final Map<String, String> serviceAccountToService;
    private final boolean podAnnotation;

    private KubernetesTokenVerifier(Builder builder) {
        this.client = builder.client;
        this.audiences = List.copyOf(builder.audiences);
        this.trustDomain = builder.trustDomain;
        this.mesh = builder.mesh;
        this.serviceAccountToService = Map.copyOf(builder.serviceAccountToService);
        this.podAnnotation = builder.podAnnotation;
    }

    /** A builder; client, trust domain and mesh are required. */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public SpiffeId verify(IdentityProof proof, SpiffeId requested) throws IdentityRefusedException {
        if (!(proof instanceof IdentityProof.KubernetesToken k8s) || k8s.token() == null || k8s.token().isBlank()) {
            throw IdentityRefusedException.refused("proof.token: missing (expected: a service account token)");
        }
        TokenReviewStatus status = review(k8s.token());
        if (!Boolean.TRUE.equals(status.getAuthenticated()) || status.getUser() == null) {
            throw IdentityRefusedException.refused("proof.token: not authenticated by the Kubernetes API"
                    + (status.getError() == null ? "" : ", " + status.getError())
                    + " (expected: a valid service account token" + (audiences.isEmpty() ? "" : " for audiences " + audiences) + ")");
        }
        String username = status.getUser().getUsername();
        if (username == null || !username.startsWith(SERVICE_ACCOUNT_PREFIX) || username.split(":").length != 4) {
            throw IdentityRefusedException.refused("proof.token.user: " + username
                    + " (expected: system:serviceaccount:<namespace>:<name>)");
        }
        String[] parts = username.split(":");
        String namespace = parts[2];
        String serviceAccount = namespace + "/" + parts[3];
        String service = serviceAccountToService.get(serviceAccount);
        if (service == null && podAnnotation) {
            service = fromPodAnnotation(namespace, status);
        }
        if (service == null) {
            throw IdentityRefusedException.refused("serviceAccount: " + serviceAccount
                    + " (expected: one of " + new TreeMap<>(serviceAccountToService).keySet()
                    + (podAnnotation ? ", or a token bound to a pod annotated " + WorkloadLabels.SERVICE : "") + ")");
        }
        return SpiffeId.of(trustDomain, mesh, service);
    }

    private TokenReviewStatus review(String token) throws IdentityRefusedException {
        TokenReview review = new TokenReviewBuilder()
                .withNewSpec().withToken(token).withAudiences(audiences.isEmpty() ? null : audiences).endSpec()
                .build();
        try {
            TokenReview answer = client.authentication().v1().tokenReviews().create(review);
            if (answer == null || answer.getStatus() == null) {
                throw IdentityRefusedException.unavailable("TokenReview: no status (expected: the API server's verdict)", null);
            }
            return answer.getStatus();
        } catch (KubernetesClientException e) {
            throw IdentityRefusedException.unavailable("TokenReview: HTTP " + e.getCode() + ", " + e.getMessage()
                    + " (expected: the API server's verdict)", e);
        }
    }

    private String fromPodAnnotation(String namespace, TokenReviewStatus status) throws IdentityRefusedException {
        Map<String, List<String>> extra = status.getUser().getExtra();
        List<String> podNames = extra == null ? null : extra.get(POD_NAME_EXTRA);
        if (podNames == null || podNames.isEmpty()) {
            return null;
        }
        Pod pod;
        try {
            pod = client.pods().inNamespace(namespace).withName(podNames.get(0)).get();
        } catch (KubernetesClientException e) {
            throw IdentityRefusedException.unavailable("pod " + namespace + "/" + podNames.get(0) + ": HTTP " + e.getCode()
                    + " (expected: readable)", e);
        }
        if (pod == null || pod.getMetadata().getAnnotations() == null) {
            return null;
        }
        Map<String, String> annotations = pod.getMetadata().getAnnotations();
        String podMesh = annotations.get(WorkloadLabels.MESH);
        if (podMesh != null && !podMesh.equals(mesh)) {
            throw IdentityRefusedException.refused("pod " + namespace + "/" + podNames.get(0) + " annotation "
                    + WorkloadLabels.MESH + ": " + podMesh + " (expected: " + mesh + ")");
        }
        return annotations.get(WorkloadLabels.SERVICE);
    }

    @Override
    public String toString() {
        return "KubernetesTokenVerifier{serviceAccounts=" + new TreeMap<>(serviceAccountToService)
                + ", podAnnotation=" + podAnnotation + "}";
    }

    /** Builds a {@link KubernetesTokenVerifier}. */
    public static final class Builder {
        private KubernetesClient client;
        private List<String> audiences = List.of();
        private String trustDomain;
        private String mesh;
        private final Map<String, String> serviceAccountToService = new TreeMap<>();
        private boolean podAnnotation = true;

        private Builder() {
        }

        /** The client TokenReviews are created with (needs {@code create tokenreviews}, {@code get pods}). Required. */
        public Builder client(KubernetesClient client) {
            this.client = client;
            return this;
        }

        /** Audiences the token must be for, such as {@code trellis-ca}; the API server's default when empty. */
        public Builder audiences(List<String> audiences) {
            this.audiences = List.copyOf(audiences);
            return this;
        }

        /** The mesh's trust domain. Required. */
        public Builder trustDomain(String trustDomain) {
            this.trustDomain = trustDomain;
            return this;
        }

        /** The mesh. Required. */
        public Builder mesh(String mesh) {
            this.mesh = mesh;
            return this;
        }

        /** Pods running as {@code namespace/serviceAccount} are mesh service {@code service}. */
        public Builder mapServiceAccount(String namespace, String serviceAccount, String service) {
            serviceAccountToService.put(namespace + "/" + serviceAccount, Objects.requireNonNull(service, "service"));
            return this;
        }

        /** Whether an unmapped service account may name its service by pod annotation; true by default. */
        public Builder podAnnotation(boolean podAnnotation) {
            this.podAnnotation = podAnnotation;
            return this;
        }

        public KubernetesTokenVerifier build() {
            Objects.requireNonNull(client, "client");
            if (trustDomain == null || mesh == null) {
                throw new IllegalArgumentException("trustDomain, mesh: " + trustDomain + ", " + mesh + " (expected: both set)");
            }
            if (serviceAccountToService.isEmpty() && !podAnnotation) {
                throw new IllegalArgumentException("serviceAccountToService: empty and podAnnotation: false"
                        + " (expected: a mapped service account, or pod annotations allowed)");
            }
            return new KubernetesTokenVerifier(this);
        }
    }
}
