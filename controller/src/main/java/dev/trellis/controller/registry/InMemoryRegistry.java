package dev.trellis.controller.registry;

import dev.trellis.snapshot.Endpoint;
import java.util.List;
import java.util.Objects;

/** The local mode's registry: what local processes register through the registry API, kept in memory. */
public final class InMemoryRegistry implements Registry {

    private final InstanceTable table = new InstanceTable("memory");

    InMemoryRegistry() {
    }

    @Override
    public String kind() {
        return "memory";
    }

    /** Adds the instance, or replaces the one with its service and id; false when nothing changed. */
    public boolean register(RegisteredInstance instance) {
        return table.put(Objects.requireNonNull(instance, "instance"));
    }

    /** Removes the instance; false when the service had no instance with that id. */
    public boolean deregister(String service, String id) {
        return table.remove(service, id);
    }

    @Override
    public List<Endpoint> endpoints(String service, String version) {
        return table.endpoints(service, version);
    }

    @Override
    public List<RegisteredInstance> instances(String service) {
        return table.instances(service);
    }

    @Override
    public void subscribe(RegistryListener listener) {
        table.subscribe(Objects.requireNonNull(listener, "listener"));
    }
}
