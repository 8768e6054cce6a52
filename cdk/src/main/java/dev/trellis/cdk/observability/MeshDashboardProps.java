package dev.trellis.cdk.observability;

/**
 * Properties of a {@link MeshDashboard}.
 *
 * @param meshName names the dashboard, {@code trellis-<mesh>}
 * @param metricsNamespace the CloudWatch namespace the proxies publish to
 */
public record MeshDashboardProps(String meshName, String metricsNamespace) {
}
