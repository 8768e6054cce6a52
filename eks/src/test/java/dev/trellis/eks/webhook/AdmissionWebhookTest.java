package dev.trellis.eks.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.trellis.eks.inject.InjectorConfig;
import dev.trellis.eks.inject.SidecarInjector;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.admission.v1.AdmissionResponse;
import io.fabric8.kubernetes.api.model.admission.v1.AdmissionReview;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.zjsonpatch.JsonPatch;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

@EnableKubernetesMockClient(crud = true)
class AdmissionWebhookTest {

    KubernetesClient client;

    private AdmissionWebhook webhook;

    @BeforeEach
    void setUp() {
        client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName("shop").endMetadata().build()).create();
        webhook = new AdmissionWebhook(
                new SidecarInjector(new InjectorConfig("shop", "trellis/proxy:0.1", null, "http://controller:8080", true)),
                AdmissionWebhook.labelsOf(client), new KubernetesPodEvents(client));
    }

    static String fixture() throws IOException {
        try (InputStream in = AdmissionWebhookTest.class.getResourceAsStream("/admission-review-pod.json")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static AdmissionResponse responseOf(String reviewJson) {
        return Serialization.unmarshal(reviewJson, AdmissionReview.class).getResponse();
    }

    private static Pod applyPatch(String requestJson, AdmissionResponse response) {
        JsonNode request = Serialization.jsonMapper().readTree(requestJson);
        JsonNode patch = Serialization.jsonMapper().readTree(Base64.getDecoder().decode(response.getPatch()));
        JsonNode patched = JsonPatch.apply(patch, request.get("request").get("object"));
        return Serialization.unmarshal(patched.toString(), Pod.class);
    }

    @Test
    @DisplayName("GIVEN a real AdmissionReview of an opted-in pod WHEN reviewed THEN the JSON patch adds the sidecar and nothing is refused")
    void injectsOptedInPod() throws IOException {
        String request = fixture();

        AdmissionResponse response = responseOf(webhook.review(request));

        assertThat(response.getUid()).isEqualTo("705ab4f5-6393-11e8-b7cc-42010a800002");
        assertThat(response.getAllowed()).isTrue();
        assertThat(response.getPatchType()).isEqualTo("JSONPatch");
        Pod patched = applyPatch(request, response);
        assertThat(patched.getSpec().getInitContainers()).extracting(Container::getName)
                .containsExactly("trellis-init", "trellis-proxy");
        assertThat(patched.getSpec().getContainers()).extracting(Container::getName).containsExactly("orders");
        assertThat(patched.getMetadata().getLabels()).containsEntry("trellis.dev/version", "v2");
        assertThat(patched.getMetadata().getAnnotations()).containsEntry("trellis.dev/injected", "true");
    }

    @Test
    @DisplayName("GIVEN the patched pod WHEN reviewed again THEN no second sidecar is added")
    void idempotent() throws IOException {
        String request = fixture();
        Pod patched = applyPatch(request, responseOf(webhook.review(request)));
        String again = request.replace(
                Serialization.jsonMapper().readTree(request).get("request").get("object").toString(),
                Serialization.asJson(patched));
        String second = Serialization.asJson(Map.of("apiVersion", "admission.k8s.io/v1", "kind", "AdmissionReview",
                "request", Map.of("uid", "2", "kind", Map.of("group", "", "version", "v1", "kind", "Pod"),
                        "namespace", "shop", "operation", "CREATE", "object", patched)));

        AdmissionResponse response = responseOf(webhook.review(second));

        assertThat(again).isNotBlank();
        assertThat(response.getAllowed()).isTrue();
        assertThat(response.getPatch()).isNull();
    }

    @Test
    @DisplayName("GIVEN a pod that opts out WHEN reviewed THEN it is admitted unchanged")
    void optOut() throws IOException {
        AdmissionResponse response = responseOf(webhook.review(
                fixture().replace("\"trellis.dev/inject\": \"true\"", "\"trellis.dev/inject\": \"false\"")));

        assertThat(response.getAllowed()).isTrue();
        assertThat(response.getPatch()).isNull();
        assertThat(response.getWarnings()).isNullOrEmpty();
    }

    @Test
    @DisplayName("GIVEN a malformed annotation WHEN reviewed THEN the pod is admitted uninjected, warned, and an event names the problem")
    void malformedAnnotationReportedAsEvent() throws IOException {
        AdmissionResponse response = responseOf(webhook.review(fixture().replace(
                "\"trellis.dev/inject\": \"true\"",
                "\"trellis.dev/inject\": \"true\", \"trellis.dev/app-port\": \"eighty\"")));

        assertThat(response.getAllowed()).isTrue();
        assertThat(response.getPatch()).isNull();
        assertThat(response.getWarnings()).containsExactly(
                "trellis not injected: trellis.dev/app-port: eighty (expected: a port number 1..65535)");
        assertThat(client.v1().events().inNamespace("shop").list().getItems()).singleElement().satisfies((Event e) -> {
            assertThat(e.getInvolvedObject().getKind()).isEqualTo("Pod");
            assertThat(e.getInvolvedObject().getName()).isEqualTo("orders-v2-7d9c8b-");
            assertThat(e.getType()).isEqualTo("Warning");
            assertThat(e.getReason()).isEqualTo("TrellisInjectionSkipped");
            assertThat(e.getMessage()).contains("trellis.dev/app-port: eighty");
        });
    }

    @Test
    @DisplayName("GIVEN a namespace labelled enabled WHEN an unannotated pod is reviewed THEN it is injected")
    void namespaceLabel() throws IOException {
        client.namespaces().withName("shop").edit(n -> new NamespaceBuilder(n).editMetadata()
                .addToLabels("trellis.dev/inject", "enabled").endMetadata().build());

        AdmissionResponse response = responseOf(webhook.review(
                fixture().replace("\"annotations\": {\"trellis.dev/inject\": \"true\"}", "\"annotations\": {}")));

        assertThat(response.getPatchType()).isEqualTo("JSONPatch");
    }

    @Test
    @DisplayName("GIVEN an UPDATE or another kind WHEN reviewed THEN it is admitted untouched")
    void otherOperations() throws IOException {
        AdmissionResponse response = responseOf(webhook.review(fixture().replace("\"CREATE\"", "\"UPDATE\"")));

        assertThat(response.getAllowed()).isTrue();
        assertThat(response.getPatch()).isNull();
    }

    @Test
    @DisplayName("GIVEN a body that is not an AdmissionReview WHEN reviewed THEN the error says what was expected")
    void notAReview() {
        assertThatThrownBy(() -> webhook.review("{\"hello\": 1}"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("request.uid: missing (expected: an AdmissionReview with a request)");
    }
}
