package dev.trellis.eks.webhook;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Instant;
import java.util.UUID;

/** Pod events as Kubernetes {@code Event} objects, with the webhook as their source. */
public final class KubernetesPodEvents implements PodEvents {

    private final KubernetesClient client;

    public KubernetesPodEvents(KubernetesClient client) {
        this.client = client;
    }

    @Override
    public void warn(String namespace, String podName, String reason, String message) {
        String now = Instant.now().toString();
        Event event = new EventBuilder()
                .withNewMetadata().withNamespace(namespace)
                    .withName(podName + "." + UUID.randomUUID().toString().substring(0, 8)).endMetadata()
                .withNewInvolvedObject().withKind("Pod").withApiVersion("v1").withNamespace(namespace)
                    .withName(podName).endInvolvedObject()
                .withType("Warning").withReason(reason).withMessage(message)
                .withNewSource().withComponent("trellis-injector").endSource()
                .withFirstTimestamp(now).withLastTimestamp(now).withCount(1)
                .build();
        client.v1().events().inNamespace(namespace).resource(event).create();
    }
}
