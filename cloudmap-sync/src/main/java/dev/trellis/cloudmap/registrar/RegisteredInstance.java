package dev.trellis.cloudmap.registrar;

import dev.trellis.naming.CloudMapAttributes;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * An instance of a mesh service as Cloud Map holds it, for reconciling.
 *
 * @param service    the mesh service (the Cloud Map service's name)
 * @param instanceId the Cloud Map instance id
 * @param attributes its attributes
 * @param copies     how many records with this id the service lists: 1, or more after an emulator
 *                   duplicated a re-registration (real Cloud Map keeps one per id)
 * @param health     HEALTHY, UNHEALTHY or UNKNOWN, when Cloud Map reported one
 */
public record RegisteredInstance(String service, String instanceId, Map<String, String> attributes, int copies,
                                 Optional<String> health) {
    public RegisteredInstance {
        Objects.requireNonNull(service, "service");
        Objects.requireNonNull(instanceId, "instanceId");
        attributes = Map.copyOf(attributes);
        Objects.requireNonNull(health, "health");
    }

    /** The value of an attribute, if set. */
    public Optional<String> attribute(String name) {
        return Optional.ofNullable(attributes.get(name));
    }

    /** The {@link CloudMapAttributes#WORKLOAD_KIND} attribute, if set. */
    public Optional<String> workloadKind() {
        return attribute(CloudMapAttributes.WORKLOAD_KIND);
    }
}
