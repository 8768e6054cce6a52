package dev.trellis.controller.registry;

import dev.trellis.snapshot.Endpoint;
import java.util.List;
import java.util.Set;

/**
 * The controller's view of where each version of each service runs: what snapshots are compiled
 * from. {@link #inMemory()} for local mode (fed by the registry API), {@link CloudMapRegistry}
 * against AWS (written by {@code cloudmap-sync}).
 */
public interface Registry extends AutoCloseable {

    /** {@code memory} or {@code cloudmap}, for status. */
    String kind();

    /** The endpoints of one version of a service, ordered by address then port. */
    List<Endpoint> endpoints(String service, String version);

    /** Every instance of a service, ordered by id. */
    List<RegisteredInstance> instances(String service);

    /** Called after every change, on the thread that made it. */
    void subscribe(RegistryListener listener);

    /** The services the mesh has now; a registry that polls reads these. */
    default void track(Set<String> services) {
    }

    @Override
    default void close() {
    }

    static InMemoryRegistry inMemory() {
        return new InMemoryRegistry();
    }
}
