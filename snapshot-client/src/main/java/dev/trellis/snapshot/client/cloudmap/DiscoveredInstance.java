package dev.trellis.snapshot.client.cloudmap;

import dev.trellis.naming.CloudMapAttributes;
import dev.trellis.naming.WorkloadLabels;
import dev.trellis.snapshot.Endpoint;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One Cloud Map instance of a mesh service, read from the attributes Trellis registers
 * ({@link CloudMapAttributes}).
 *
 * @param id the Cloud Map instance id
 * @param service the mesh service
 * @param address IPv4 address
 * @param port the port peers connect to
 * @param version the service version it runs ({@value WorkloadLabels#DEFAULT_VERSION} when it names none)
 * @param zone availability zone, or null
 * @param healthy Cloud Map's view of its health
 * @param workload the task or pod behind it, or null
 */
public record DiscoveredInstance(
        String id, String service, String address, int port, String version, String zone, boolean healthy,
        String workload) {

    public DiscoveredInstance {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(service, "service");
        Objects.requireNonNull(address, "address");
        version = version == null || version.isBlank() ? WorkloadLabels.DEFAULT_VERSION : version;
    }

    /**
     * Reads an instance from its attributes; empty when it lacks an address or a valid port (an
     * instance registered by something other than Trellis, which a proxy cannot reach).
     */
    public static Optional<DiscoveredInstance> fromAttributes(
            String id, String service, Map<String, String> attributes, boolean healthy) {
        String address = attributes.get(CloudMapAttributes.IPV4);
        String port = attributes.get(CloudMapAttributes.PORT);
        if (address == null || address.isBlank() || port == null) {
            return Optional.empty();
        }
        int parsedPort;
        try {
            parsedPort = Integer.parseInt(port.strip());
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
        if (parsedPort < 1 || parsedPort > 65535) {
            return Optional.empty();
        }
        return Optional.of(new DiscoveredInstance(id, service, address.strip(), parsedPort,
                attributes.get(CloudMapAttributes.VERSION), attributes.get(CloudMapAttributes.AVAILABILITY_ZONE),
                healthy, attributes.get(CloudMapAttributes.WORKLOAD)));
    }

    public Endpoint toEndpoint() {
        return new Endpoint(address, port, zone, healthy, workload != null ? workload : id);
    }
}
