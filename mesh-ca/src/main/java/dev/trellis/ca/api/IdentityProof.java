package dev.trellis.ca.api;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * How a proxy proves which workload it is; the JSON carries {@code "kind"}:
 * {@code aws-sts} (ECS task role), {@code k8s-token} (EKS service account), {@code bootstrap} (local).
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "kind")
@JsonSubTypes({
        @JsonSubTypes.Type(value = IdentityProof.AwsSts.class, name = IdentityProof.AwsSts.KIND),
        @JsonSubTypes.Type(value = IdentityProof.KubernetesToken.class, name = IdentityProof.KubernetesToken.KIND),
        @JsonSubTypes.Type(value = IdentityProof.BootstrapToken.class, name = IdentityProof.BootstrapToken.KIND)})
public sealed interface IdentityProof {

    /** The {@code kind} value in JSON. */
    String kind();

    /**
     * A SigV4-signed {@code sts:GetCallerIdentity} request, not sent: the CA sends it to STS and
     * learns the caller's role from the answer (the Vault/Consul pattern).
     */
    record AwsSts(String method, String url, Map<String, List<String>> headers, String body) implements IdentityProof {
        public static final String KIND = "aws-sts";

        public AwsSts {
            headers = headers == null ? Map.of() : Map.copyOf(new TreeMap<>(headers));
        }

        @Override
        public String kind() {
            return KIND;
        }

        @Override
        public String toString() {
            return "AwsSts[" + method + " " + url + ", headers=" + headers.keySet() + "]";
        }
    }

    /** A Kubernetes service account token (a projected token with the CA's audience, ideally). */
    record KubernetesToken(String token) implements IdentityProof {
        public static final String KIND = "k8s-token";

        @Override
        public String kind() {
            return KIND;
        }

        @Override
        public String toString() {
            return "KubernetesToken[redacted]";
        }
    }

    /** The mesh's shared bootstrap secret (local mode). */
    record BootstrapToken(String token) implements IdentityProof {
        public static final String KIND = "bootstrap";

        @Override
        public String kind() {
            return KIND;
        }

        @Override
        public String toString() {
            return "BootstrapToken[redacted]";
        }
    }
}
