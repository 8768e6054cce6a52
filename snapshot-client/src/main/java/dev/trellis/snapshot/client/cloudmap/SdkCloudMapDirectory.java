package dev.trellis.snapshot.client.cloudmap;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import software.amazon.awssdk.services.servicediscovery.ServiceDiscoveryClient;
import software.amazon.awssdk.services.servicediscovery.model.HealthStatus;
import software.amazon.awssdk.services.servicediscovery.model.HealthStatusFilter;
import software.amazon.awssdk.services.servicediscovery.model.HttpInstanceSummary;
import software.amazon.awssdk.services.servicediscovery.model.ServiceNotFoundException;

/** {@link CloudMapDirectory} with the SDK's {@code DiscoverInstances}. */
final class SdkCloudMapDirectory implements CloudMapDirectory {

    /** DiscoverInstances returns at most this many; a mesh service with more is not one we serve. */
    private static final int MAX_RESULTS = 1000;

    private final ServiceDiscoveryClient cloudMap;

    SdkCloudMapDirectory(ServiceDiscoveryClient cloudMap) {
        this.cloudMap = Objects.requireNonNull(cloudMap, "cloudMap");
    }

    @Override
    public List<DiscoveredInstance> discover(String namespace, String service) {
        List<HttpInstanceSummary> summaries;
        try {
            summaries = cloudMap.discoverInstances(r -> r
                    .namespaceName(namespace)
                    .serviceName(service)
                    .healthStatus(HealthStatusFilter.ALL)
                    .maxResults(MAX_RESULTS)).instances();
        } catch (ServiceNotFoundException e) {
            // A mesh service that no workload has registered yet has no Cloud Map service either.
            return List.of();
        }
        List<DiscoveredInstance> instances = new ArrayList<>(summaries.size());
        for (HttpInstanceSummary summary : summaries) {
            // UNKNOWN is what a service without health checks reports: Cloud Map routes to those.
            boolean healthy = summary.healthStatus() != HealthStatus.UNHEALTHY;
            DiscoveredInstance.fromAttributes(summary.instanceId(), service, summary.attributes(), healthy)
                    .ifPresent(instances::add);
        }
        return instances;
    }
}
