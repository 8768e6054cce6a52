package dev.trellis.cloudmap.testing;

import dev.trellis.naming.CloudMapNames;
import dev.trellis.testing.aws.AwsEmulator;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import software.amazon.awssdk.services.servicediscovery.ServiceDiscoveryClient;
import software.amazon.awssdk.services.servicediscovery.model.InstanceSummary;
import software.amazon.awssdk.services.servicediscovery.model.ServiceSummary;

/** Reads and prepares Cloud Map in the emulator directly through the SDK, independent of the code under test. */
public final class CloudMapFixture {

    private final ServiceDiscoveryClient client;

    public CloudMapFixture(AwsEmulator aws) {
        this.client = aws.clients().serviceDiscovery();
    }

    /** Creates the mesh's HTTP namespace ({@code <mesh>.local}) and returns its id. */
    public String createNamespace(String mesh) {
        client.createHttpNamespace(r -> r.name(CloudMapNames.namespace(mesh)));
        return client.listNamespaces(r -> { }).namespaces().stream()
                .filter(n -> n.name().equals(CloudMapNames.namespace(mesh))).findFirst().orElseThrow().id();
    }

    /** Services of the namespace with this name. */
    public List<ServiceSummary> services(String namespaceId, String name) {
        return client.listServices(r -> { }).services().stream()
                .filter(s -> s.name().equals(name))
                .filter(s -> client.getService(r -> r.id(s.id())).service().namespaceId().equals(namespaceId))
                .toList();
    }

    /** The one service with this name; fails if there is none or more than one. */
    public String serviceId(String namespaceId, String name) {
        List<ServiceSummary> services = services(namespaceId, name);
        if (services.size() != 1) {
            throw new AssertionError("services named " + name + ": " + services.size() + " (expected: 1)");
        }
        return services.get(0).id();
    }

    /** Every instance record of the service, duplicates included. */
    public List<InstanceSummary> instances(String serviceId) {
        return client.listInstances(r -> r.serviceId(serviceId)).instances();
    }

    /** Attributes by instance id (fails on duplicate ids, which must never exist). */
    public Map<String, Map<String, String>> attributesById(String serviceId) {
        return instances(serviceId).stream().collect(Collectors.toMap(InstanceSummary::id, InstanceSummary::attributes));
    }

    /** HEALTHY / UNHEALTHY by instance id. */
    public Map<String, String> health(String serviceId) {
        return client.getInstancesHealthStatus(r -> r.serviceId(serviceId)).statusAsStrings();
    }

    public ServiceDiscoveryClient client() {
        return client;
    }
}
