package dev.trellis.controller;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.trellis.controller.testing.Http;
import dev.trellis.controller.testing.TestMesh;
import dev.trellis.testing.aws.AwsEmulator;
import dev.trellis.testing.aws.WithAwsEmulator;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfigurationBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code --eks}: the eks module's pod registration and webhook, wired by Main (fabric8 mock server in CRUD mode, moto). */
@WithAwsEmulator
@EnableKubernetesMockClient(crud = true)
class EksWiringTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    KubernetesClient client;

    @TempDir
    Path dir;

    @Test
    @DisplayName("GIVEN an EKS cluster and Cloud Map WHEN the controller starts with --eks THEN the webhook's caBundle is set, and a Ready pod of the mesh reaches the controller's registry")
    void eksPodsReachTheRegistryAndTheWebhookIsTrusted(AwsEmulator aws) throws Exception {
        aws.reset();
        var cloudMap = aws.clients().serviceDiscovery();
        cloudMap.getOperation(r -> r.operationId(cloudMap.createHttpNamespace(n -> n.name("shop.local")).operationId()));
        installWebhookConfiguration();
        client.nodes().resource(new NodeBuilder().withNewMetadata().withName("node-a")
                .addToLabels("topology.kubernetes.io/zone", "us-east-1a").endMetadata().build()).create();
        Path spec = dir.resolve("mesh.yaml");
        TestMesh.write(spec, TestMesh.SHOP);
        Main main = new Main();
        main.environment = aws.environment();
        main.kubernetes = () -> client;
        new CommandLine(main).parseArgs("--spec-file", spec.toString(), "--registry", "cloudmap",
                "--cloudmap-interval", "200ms", "--eks", "--proxy-image", "trellis/proxy:test", "--webhook-port", "0",
                "--host", "127.0.0.1", "--port", "0");

        try (Controller controller = main.start()) {
            String caBundle = client.admissionRegistration().v1().mutatingWebhookConfigurations()
                    .withName("trellis-injector").get().getWebhooks().get(0).getClientConfig().getCaBundle();
            assertThat(caBundle).isNotEqualTo("c3RhbGU=");

            client.pods().inNamespace("shop").resource(new PodBuilder()
                    .withNewMetadata().withName("orders-1").withNamespace("shop")
                        .withLabels(Map.of("trellis.dev/mesh", "shop", "trellis.dev/service", "orders",
                                "trellis.dev/version", "v2"))
                    .endMetadata()
                    .withNewSpec().withNodeName("node-a").addNewContainer().withName("orders").withImage("orders:2")
                        .endContainer().endSpec()
                    .withNewStatus().withPodIP("10.1.0.5")
                        .addNewCondition().withType("Ready").withStatus("True").endCondition()
                    .endStatus().build()).create();

            JsonNode instance = awaitInstance(controller, "/services/orders/versions/v2/0");
            assertThat(instance.get("address").asText()).isEqualTo("10.1.0.5");
            assertThat(instance.get("zone").asText()).isEqualTo("us-east-1a");
        }
    }

    @Test
    @DisplayName("GIVEN --eks without Cloud Map or a proxy image THEN the command fails saying what it needs")
    void eksNeedsCloudMapAndAProxyImage() {
        java.io.StringWriter err = new java.io.StringWriter();
        int code = new CommandLine(new Main()).setErr(new java.io.PrintWriter(err)).execute("--spec-file", "a.yaml", "--eks");

        assertThat(code).isEqualTo(2);
        assertThat(err.toString()).contains("--eks with --registry memory and --proxy-image null"
                + " (expected: --registry cloudmap and a --proxy-image)");
    }

    private void installWebhookConfiguration() {
        client.admissionRegistration().v1().mutatingWebhookConfigurations().resource(new MutatingWebhookConfigurationBuilder()
                .withNewMetadata().withName("trellis-injector").endMetadata()
                .addNewWebhook().withName("inject.trellis.dev").withFailurePolicy("Ignore")
                    .withSideEffects("None").withAdmissionReviewVersions("v1")
                    .withNewClientConfig().withNewService().withName("trellis-injector").withNamespace("trellis")
                        .withPath("/mutate").endService().withCaBundle("c3RhbGU=").endClientConfig()
                .endWebhook().build()).create();
    }

    private static JsonNode awaitInstance(Controller controller, String pointer) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        JsonNode status = null;
        while (System.nanoTime() < deadline) {
            status = JSON.readTree(Http.get(controller.uri().resolve("/v1/status")).body());
            if (!status.at(pointer).isMissingNode()) {
                return status.at(pointer);
            }
            Thread.sleep(50);
        }
        throw new AssertionError("no " + pointer + " in status within 15s; last: " + status);
    }
}
