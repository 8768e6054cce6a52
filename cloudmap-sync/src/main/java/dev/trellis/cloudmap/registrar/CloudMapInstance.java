package dev.trellis.cloudmap.registrar;

import java.util.Map;
import java.util.Objects;

/**
 * A Cloud Map instance as {@link CloudMapApi} reads it.
 *
 * @param id         the instance id
 * @param attributes its attributes
 */
public record CloudMapInstance(String id, Map<String, String> attributes) {
    public CloudMapInstance {
        Objects.requireNonNull(id, "id");
        attributes = Map.copyOf(attributes);
    }
}
