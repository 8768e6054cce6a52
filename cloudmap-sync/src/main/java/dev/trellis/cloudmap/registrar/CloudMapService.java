package dev.trellis.cloudmap.registrar;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * A Cloud Map service as {@link CloudMapApi} lists it.
 *
 * @param id                the service id, such as {@code srv-abc}
 * @param name              the service name, the mesh service's name
 * @param namespaceId       the namespace it belongs to
 * @param createdAt         when it was created, when the API says
 * @param customHealthCheck whether it has a custom health check config (so health can be set)
 */
public record CloudMapService(String id, String name, String namespaceId, Optional<Instant> createdAt,
                              boolean customHealthCheck) {
    public CloudMapService {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(createdAt, "createdAt");
    }
}
