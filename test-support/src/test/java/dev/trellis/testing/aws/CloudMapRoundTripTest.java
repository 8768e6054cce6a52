package dev.trellis.testing.aws;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trellis.naming.CloudMapAttributes;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.servicediscovery.ServiceDiscoveryClient;
import software.amazon.awssdk.services.servicediscovery.model.CustomHealthStatus;
import software.amazon.awssdk.services.servicediscovery.model.HealthStatusFilter;
import software.amazon.awssdk.services.servicediscovery.model.HttpInstanceSummary;
import software.amazon.awssdk.services.servicediscovery.model.OperationTargetType;

/** Cloud Map through the real SDK against the emulator: what the controller's registrar relies on. */
@WithAwsEmulator
class CloudMapRoundTripTest {

    private static final String NAMESPACE = "mesh.trellis.local";
    private static final String SERVICE = "orders";

    @Test
    @DisplayName("GIVEN a service with a custom health check and two instances, one marked UNHEALTHY"
            + " WHEN DiscoverInstances asks for HEALTHY THEN only the healthy instance comes back, attributes intact")
    void discoverInstancesWithHealthyFilterReturnsOnlyTheHealthyInstance(AwsEmulator aws) {
        // GIVEN an HTTP namespace and a service with a custom health check
        ServiceDiscoveryClient cloudMap = aws.clients().serviceDiscovery();
        String operationId = cloudMap.createHttpNamespace(r -> r.name(NAMESPACE)).operationId();
        String namespaceId = cloudMap.getOperation(r -> r.operationId(operationId))
                .operation().targets().get(OperationTargetType.NAMESPACE);
        String serviceId = cloudMap.createService(r -> r
                        .name(SERVICE)
                        .namespaceId(namespaceId)
                        .healthCheckCustomConfig(h -> h.failureThreshold(1)))
                .service().id();
        // AND two registered instances with the mesh's attributes
        cloudMap.registerInstance(r -> r.serviceId(serviceId).instanceId("task-a").attributes(Map.of(
                CloudMapAttributes.IPV4, "10.0.1.10",
                CloudMapAttributes.PORT, "8080",
                CloudMapAttributes.VERSION, "v1")));
        cloudMap.registerInstance(r -> r.serviceId(serviceId).instanceId("task-b").attributes(Map.of(
                CloudMapAttributes.IPV4, "10.0.1.11",
                CloudMapAttributes.PORT, "8080",
                CloudMapAttributes.VERSION, "v2")));

        // WHEN one instance reports itself unhealthy
        cloudMap.updateInstanceCustomHealthStatus(r -> r
                .serviceId(serviceId).instanceId("task-b").status(CustomHealthStatus.UNHEALTHY));
        // AND the healthy instances are discovered
        List<HttpInstanceSummary> healthy = cloudMap.discoverInstances(r -> r
                .namespaceName(NAMESPACE).serviceName(SERVICE).healthStatus(HealthStatusFilter.HEALTHY))
                .instances();

        // THEN only the healthy one comes back, with its attributes intact
        assertThat(healthy).singleElement().satisfies(instance -> {
            assertThat(instance.instanceId()).isEqualTo("task-a");
            assertThat(instance.attributes()).containsExactlyInAnyOrderEntriesOf(Map.of(
                    CloudMapAttributes.IPV4, "10.0.1.10",
                    CloudMapAttributes.PORT, "8080",
                    CloudMapAttributes.VERSION, "v1"));
        });
        // AND without the filter both are there (the filter, not the registration, removed task-b)
        assertThat(cloudMap.discoverInstances(r -> r
                        .namespaceName(NAMESPACE).serviceName(SERVICE).healthStatus(HealthStatusFilter.ALL))
                .instances())
                .extracting(HttpInstanceSummary::instanceId)
                .containsExactlyInAnyOrder("task-a", "task-b");
    }
}
