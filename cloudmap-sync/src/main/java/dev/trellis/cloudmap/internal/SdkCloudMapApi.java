package dev.trellis.cloudmap.internal;

import dev.trellis.cloudmap.registrar.CloudMapApi;
import dev.trellis.cloudmap.registrar.CloudMapInstance;
import dev.trellis.cloudmap.registrar.CloudMapService;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import software.amazon.awssdk.services.servicediscovery.ServiceDiscoveryClient;
import software.amazon.awssdk.services.servicediscovery.model.FilterCondition;
import software.amazon.awssdk.services.servicediscovery.model.InstanceNotFoundException;
import software.amazon.awssdk.services.servicediscovery.model.InstanceSummary;
import software.amazon.awssdk.services.servicediscovery.model.NamespaceFilterName;
import software.amazon.awssdk.services.servicediscovery.model.NamespaceSummary;
import software.amazon.awssdk.services.servicediscovery.model.ServiceAlreadyExistsException;
import software.amazon.awssdk.services.servicediscovery.model.ServiceFilterName;
import software.amazon.awssdk.services.servicediscovery.model.ServiceNotFoundException;
import software.amazon.awssdk.services.servicediscovery.model.ServiceSummary;
import software.amazon.awssdk.services.servicediscovery.model.CustomHealthStatus;

/** {@link CloudMapApi} with the AWS SDK's synchronous Cloud Map client. */
public final class SdkCloudMapApi implements CloudMapApi {

    private final ServiceDiscoveryClient client;
    private final Map<String, String> namespaceByService = new ConcurrentHashMap<>();

    public SdkCloudMapApi(ServiceDiscoveryClient client) {
        this.client = Objects.requireNonNull(client, "client");
    }

    @Override
    public Optional<String> findNamespaceId(String namespaceName) {
        // Filtered by name where the API supports it, and checked here too (emulators ignore filters).
        for (NamespaceSummary namespace : client.listNamespacesPaginator(r -> r.filters(f -> f
                .name(NamespaceFilterName.NAME).condition(FilterCondition.EQ).values(namespaceName))).stream()
                .flatMap(page -> page.namespaces().stream()).toList()) {
            if (namespaceName.equals(namespace.name())) {
                return Optional.of(namespace.id());
            }
        }
        return Optional.empty();
    }

    @Override
    public List<CloudMapService> listServices(String namespaceId) {
        List<CloudMapService> services = new ArrayList<>();
        for (ServiceSummary service : client.listServicesPaginator(r -> r.filters(f -> f
                .name(ServiceFilterName.NAMESPACE_ID).condition(FilterCondition.EQ).values(namespaceId))).stream()
                .flatMap(page -> page.services().stream()).toList()) {
            // Summaries carry no namespace id, and emulators ignore the filter: check each service
            // once (a service never changes namespace, so the answer is kept).
            if (namespaceId.equals(namespaceOf(service.id()))) {
                services.add(new CloudMapService(service.id(), service.name(), namespaceId,
                        Optional.ofNullable(service.createDate()), service.healthCheckCustomConfig() != null));
            }
        }
        return services;
    }

    private String namespaceOf(String serviceId) {
        String known = namespaceByService.get(serviceId);
        if (known != null) {
            return known;
        }
        try {
            String namespaceId = client.getService(r -> r.id(serviceId)).service().namespaceId();
            namespaceByService.put(serviceId, namespaceId);
            return namespaceId;
        } catch (ServiceNotFoundException e) {
            return null; // deleted between the listing and now
        }
    }

    @Override
    public String createService(String namespaceId, String name, String description) {
        try {
            return client.createService(r -> r.namespaceId(namespaceId).name(name).description(description)
                    .healthCheckCustomConfig(c -> { })).service().id();
        } catch (ServiceAlreadyExistsException e) {
            return e.serviceId();
        }
    }

    @Override
    public Optional<CloudMapInstance> getInstance(String serviceId, String instanceId) {
        try {
            var instance = client.getInstance(r -> r.serviceId(serviceId).instanceId(instanceId)).instance();
            return Optional.of(new CloudMapInstance(instance.id(), instance.attributes()));
        } catch (InstanceNotFoundException e) {
            return Optional.empty();
        }
    }

    @Override
    public List<CloudMapInstance> listInstances(String serviceId) {
        List<CloudMapInstance> instances = new ArrayList<>();
        for (InstanceSummary instance : client.listInstancesPaginator(r -> r.serviceId(serviceId)).stream()
                .flatMap(page -> page.instances().stream()).toList()) {
            instances.add(new CloudMapInstance(instance.id(), instance.attributes()));
        }
        return instances;
    }

    @Override
    public String registerInstance(String serviceId, String instanceId, Map<String, String> attributes) {
        // No CreatorRequestId: the SDK fills a fresh idempotency token, reused by its own retries only.
        return client.registerInstance(r -> r.serviceId(serviceId).instanceId(instanceId).attributes(attributes))
                .operationId();
    }

    @Override
    public Optional<String> deregisterInstance(String serviceId, String instanceId) {
        try {
            return Optional.ofNullable(client.deregisterInstance(r -> r.serviceId(serviceId).instanceId(instanceId))
                    .operationId());
        } catch (InstanceNotFoundException e) {
            return Optional.empty();
        }
    }

    @Override
    public Map<String, String> healthStatuses(String serviceId) {
        Map<String, String> statuses = new LinkedHashMap<>();
        client.getInstancesHealthStatusPaginator(r -> r.serviceId(serviceId))
                .forEach(page -> page.statusAsStrings().forEach(statuses::put));
        return statuses;
    }

    @Override
    public void setCustomHealthStatus(String serviceId, String instanceId, boolean healthy) {
        client.updateInstanceCustomHealthStatus(r -> r.serviceId(serviceId).instanceId(instanceId)
                .status(healthy ? CustomHealthStatus.HEALTHY : CustomHealthStatus.UNHEALTHY));
    }
}
