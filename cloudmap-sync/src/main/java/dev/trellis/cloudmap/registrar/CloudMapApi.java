package dev.trellis.cloudmap.registrar;

import dev.trellis.cloudmap.internal.SdkCloudMapApi;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.services.servicediscovery.ServiceDiscoveryClient;

/**
 * The Cloud Map calls the {@link CloudMapRegistrar} makes, one method per API operation (pages
 * already followed), so that tests can wrap them (to inject throttling) and other backends can
 * stand in. Errors are the AWS SDK's exceptions, unchanged.
 */
public interface CloudMapApi {

    /** The implementation with the AWS SDK's Cloud Map client (the caller keeps owning the client). */
    static CloudMapApi of(ServiceDiscoveryClient client) {
        return new SdkCloudMapApi(client);
    }

    /** The id of the namespace with this exact name, if there is one. ListNamespaces. */
    Optional<String> findNamespaceId(String namespaceName);

    /** Every service of the namespace. ListServices. */
    List<CloudMapService> listServices(String namespaceId);

    /**
     * Creates a service with a custom health check config and returns its id; when one with this
     * name already exists (a concurrent creator won), returns that one's id. CreateService.
     */
    String createService(String namespaceId, String name, String description);

    /** The instance, if registered. GetInstance. */
    Optional<CloudMapInstance> getInstance(String serviceId, String instanceId);

    /** Every instance of the service, in the order the API gives them (duplicates kept). ListInstances. */
    List<CloudMapInstance> listInstances(String serviceId);

    /** Registers (creates or replaces) an instance; returns the operation id. RegisterInstance. */
    String registerInstance(String serviceId, String instanceId, Map<String, String> attributes);

    /** Deregisters an instance; returns the operation id, or empty when there was no such instance. DeregisterInstance. */
    Optional<String> deregisterInstance(String serviceId, String instanceId);

    /** The health status of every instance of the service: HEALTHY, UNHEALTHY or UNKNOWN. GetInstancesHealthStatus. */
    Map<String, String> healthStatuses(String serviceId);

    /** Sets an instance's custom health status. UpdateInstanceCustomHealthStatus. */
    void setCustomHealthStatus(String serviceId, String instanceId, boolean healthy);
}
