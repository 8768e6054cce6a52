package dev.trellis.controller.registry;

/** Told when the instances of a service changed. */
@FunctionalInterface
public interface RegistryListener {
    void changed(String service);
}
