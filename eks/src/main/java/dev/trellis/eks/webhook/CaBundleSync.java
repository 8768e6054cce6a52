package dev.trellis.eks.webhook;

import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhook;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfiguration;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * Keeps the {@code MutatingWebhookConfiguration}'s caBundle equal to the CA of the certificate
 * this process serves, so that a restart (new certificate) never leaves the API server
 * distrusting the webhook.
 */
public final class CaBundleSync {

    private final KubernetesClient client;
    private final String configurationName;

    public CaBundleSync(KubernetesClient client, String configurationName) {
        this.client = client;
        this.configurationName = configurationName;
    }

    /** Sets every webhook's caBundle; returns how many were changed. */
    public int apply(String caPem) {
        String bundle = Base64.getEncoder().encodeToString(caPem.getBytes(StandardCharsets.UTF_8));
        var resource = client.admissionRegistration().v1().mutatingWebhookConfigurations().withName(configurationName);
        MutatingWebhookConfiguration current = resource.get();
        if (current == null) {
            throw new IllegalStateException("MutatingWebhookConfiguration: " + configurationName
                    + " not found (expected: installed with the controller, see the CDK EKS integration)");
        }
        int changed = 0;
        for (MutatingWebhook webhook : current.getWebhooks()) {
            if (!bundle.equals(webhook.getClientConfig().getCaBundle())) {
                webhook.getClientConfig().setCaBundle(bundle);
                changed++;
            }
        }
        if (changed > 0) {
            client.resource(current).update();
        }
        return changed;
    }
}
