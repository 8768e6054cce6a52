package dev.trellis.eks.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfigurationBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@EnableKubernetesMockClient(crud = true)
class CaBundleSyncTest {

    KubernetesClient client;

    private void installConfiguration() {
        client.admissionRegistration().v1().mutatingWebhookConfigurations().resource(new MutatingWebhookConfigurationBuilder()
                .withNewMetadata().withName("trellis-injector").endMetadata()
                .addNewWebhook().withName("inject.trellis.dev").withFailurePolicy("Ignore")
                    .withSideEffects("None").withAdmissionReviewVersions("v1")
                    .withNewClientConfig().withNewService().withName("trellis-injector").withNamespace("trellis")
                        .withPath("/mutate").endService().withCaBundle("c3RhbGU=").endClientConfig()
                .endWebhook().build()).create();
    }

    @Test
    @DisplayName("GIVEN a configuration with a stale caBundle WHEN synced THEN it holds this process's CA; a second sync changes nothing")
    void keepsCaBundleInStep() {
        installConfiguration();
        WebhookCertificates certificates = WebhookCertificates.generate(List.of("trellis-injector.trellis.svc"), Duration.ofDays(1));
        CaBundleSync sync = new CaBundleSync(client, "trellis-injector");

        assertThat(sync.apply(certificates.caPem())).isEqualTo(1);
        assertThat(sync.apply(certificates.caPem())).isZero();

        String bundle = client.admissionRegistration().v1().mutatingWebhookConfigurations().withName("trellis-injector")
                .get().getWebhooks().get(0).getClientConfig().getCaBundle();
        assertThat(new String(Base64.getDecoder().decode(bundle), StandardCharsets.UTF_8)).isEqualTo(certificates.caPem());
    }

    @Test
    @DisplayName("GIVEN no webhook configuration WHEN synced THEN the error names it and how it gets installed")
    void missingConfiguration() {
        assertThatThrownBy(() -> new CaBundleSync(client, "trellis-injector").apply("pem"))
                .hasMessageStartingWith("MutatingWebhookConfiguration: trellis-injector not found (expected: installed with the controller");
    }
}
