package dev.trellis.cdk.eks;

/** What the API server does with a pod when the injecting webhook cannot be reached. */
public enum WebhookFailurePolicy {
    /** Creates the pod without a sidecar: a controller outage never blocks the cluster. */
    IGNORE("Ignore"),
    /** Refuses the pod: no workload ever runs outside the mesh by accident. */
    FAIL("Fail");

    private final String kubernetesName;

    WebhookFailurePolicy(String kubernetesName) {
        this.kubernetesName = kubernetesName;
    }

    public String kubernetesName() {
        return kubernetesName;
    }
}
