package dev.trellis.eks.webhook;

import dev.trellis.eks.annotations.InjectionDecision;
import dev.trellis.eks.inject.SidecarInjector;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.admission.v1.AdmissionRequest;
import io.fabric8.kubernetes.api.model.admission.v1.AdmissionResponse;
import io.fabric8.kubernetes.api.model.admission.v1.AdmissionResponseBuilder;
import io.fabric8.kubernetes.api.model.admission.v1.AdmissionReview;
import io.fabric8.kubernetes.api.model.admission.v1.AdmissionReviewBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * One admission review: decides, injects, answers. It never refuses a pod: a malformed
 * annotation leaves the pod as it was, with a warning in the response and an event on the pod;
 * an internal failure does the same. (The webhook configuration's {@code failurePolicy: Ignore}
 * covers the webhook being down; see the README.)
 */
public final class AdmissionWebhook {

    private static final System.Logger LOG = System.getLogger(AdmissionWebhook.class.getName());

    private final SidecarInjector injector;
    private final Function<String, Map<String, String>> namespaceLabels;
    private final PodEvents events;

    public AdmissionWebhook(SidecarInjector injector, Function<String, Map<String, String>> namespaceLabels,
                            PodEvents events) {
        this.injector = injector;
        this.namespaceLabels = namespaceLabels;
        this.events = events;
    }

    /** Namespace labels read through the Kubernetes API. */
    public static Function<String, Map<String, String>> labelsOf(io.fabric8.kubernetes.client.KubernetesClient client) {
        return name -> {
            Namespace namespace = client.namespaces().withName(name).get();
            return namespace == null || namespace.getMetadata().getLabels() == null
                    ? Map.of() : namespace.getMetadata().getLabels();
        };
    }

    /** Takes the AdmissionReview JSON the API server posts and returns the AdmissionReview to answer. */
    public String review(String requestJson) {
        AdmissionReview review;
        try {
            review = Serialization.unmarshal(requestJson, AdmissionReview.class);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("body: not an AdmissionReview (expected: admission.k8s.io/v1 AdmissionReview JSON)", e);
        }
        AdmissionRequest request = review.getRequest();
        if (request == null || request.getUid() == null) {
            throw new IllegalArgumentException("request.uid: missing (expected: an AdmissionReview with a request)");
        }
        AdmissionResponse response = respond(request);
        return Serialization.asJson(new AdmissionReviewBuilder()
                .withApiVersion("admission.k8s.io/v1").withKind("AdmissionReview")
                .withResponse(response).build());
    }

    private AdmissionResponse respond(AdmissionRequest request) {
        AdmissionResponseBuilder allowed = new AdmissionResponseBuilder().withUid(request.getUid()).withAllowed(true);
        if (!"Pod".equals(request.getKind() == null ? null : request.getKind().getKind())
                || !"CREATE".equals(request.getOperation())) {
            return allowed.build();
        }
        String namespace = request.getNamespace();
        Pod pod;
        try {
            pod = Serialization.unmarshal(Serialization.asJson(request.getObject()), Pod.class);
        } catch (RuntimeException e) {
            return allowed.withWarnings("trellis: the pod could not be read, not injected").build();
        }
        String podName = podName(pod);
        try {
            SidecarInjector.Result result = injector.inject(pod, namespaceLabels.apply(namespace));
            if (result.decision() instanceof InjectionDecision.Malformed malformed) {
                String message = "not injected: " + String.join("; ", malformed.problems());
                events.warn(namespace, podName, "TrellisInjectionSkipped", message);
                LOG.log(System.Logger.Level.WARNING, "pod={0}/{1} injected=false reason=\"{2}\"", namespace, podName, message);
                return allowed.withWarnings(List.of("trellis " + message)).build();
            }
            if (result.decision() instanceof InjectionDecision.Skip) {
                return allowed.build();
            }
            String patch = Serialization.asJson(result.patch());
            LOG.log(System.Logger.Level.INFO, "pod={0}/{1} injected=true", namespace, podName);
            return allowed.withPatchType("JSONPatch")
                    .withPatch(Base64.getEncoder().encodeToString(patch.getBytes(StandardCharsets.UTF_8)))
                    .build();
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.ERROR, "pod=" + namespace + "/" + podName + " injected=false", e);
            return allowed.withWarnings("trellis: injection failed (" + e.getClass().getSimpleName()
                    + "), the pod was admitted without the sidecar").build();
        }
    }

    private static String podName(Pod pod) {
        if (pod.getMetadata().getName() != null) {
            return pod.getMetadata().getName();
        }
        return pod.getMetadata().getGenerateName() != null ? pod.getMetadata().getGenerateName() : "(unnamed)";
    }
}
