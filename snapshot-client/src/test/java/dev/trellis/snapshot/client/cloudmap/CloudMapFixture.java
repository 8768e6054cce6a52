package dev.trellis.snapshot.client.cloudmap;

import dev.trellis.naming.CloudMapAttributes;
import java.util.HashMap;
import java.util.Map;
import software.amazon.awssdk.services.servicediscovery.ServiceDiscoveryClient;
import software.amazon.awssdk.services.servicediscovery.model.OperationTargetType;

/** A Cloud Map namespace with services in the emulator, registered the way Trellis registers. */
public final class CloudMapFixture {

    private final ServiceDiscoveryClient cloudMap;
    private final String namespaceId;
    private final Map<String, String> serviceIds = new HashMap<>();

    public CloudMapFixture(ServiceDiscoveryClient cloudMap, String namespace) {
        this.cloudMap = cloudMap;
        String operationId = cloudMap.createHttpNamespace(r -> r.name(namespace)).operationId();
        this.namespaceId = cloudMap.getOperation(r -> r.operationId(operationId)).operation().targets()
                .get(OperationTargetType.NAMESPACE);
    }

    public String namespaceId() {
        return namespaceId;
    }

    public void register(String service, String id, String address, int port, String version) {
        String serviceId = serviceIds.computeIfAbsent(service, s -> cloudMap.createService(r -> r
                .name(s).namespaceId(namespaceId).healthCheckCustomConfig(h -> h.failureThreshold(1)))
                .service().id());
        cloudMap.registerInstance(r -> r.serviceId(serviceId).instanceId(id).attributes(Map.of(
                CloudMapAttributes.IPV4, address,
                CloudMapAttributes.PORT, Integer.toString(port),
                CloudMapAttributes.VERSION, version,
                CloudMapAttributes.AVAILABILITY_ZONE, "us-east-1a")));
    }

    public void markUnhealthy(String service, String id) {
        cloudMap.updateInstanceCustomHealthStatus(r -> r.serviceId(serviceIds.get(service)).instanceId(id)
                .status(software.amazon.awssdk.services.servicediscovery.model.CustomHealthStatus.UNHEALTHY));
    }

    public void deregister(String service, String id) {
        cloudMap.deregisterInstance(r -> r.serviceId(serviceIds.get(service)).instanceId(id));
    }
}
