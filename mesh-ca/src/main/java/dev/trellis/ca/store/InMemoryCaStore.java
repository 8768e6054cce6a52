package dev.trellis.ca.store;

import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

final class InMemoryCaStore implements CaStore {
    private final AtomicReference<CaMaterial> material = new AtomicReference<>();

    @Override
    public Optional<CaMaterial> load() {
        return Optional.ofNullable(material.get());
    }

    @Override
    public void save(CaMaterial material) {
        this.material.set(material);
    }

    @Override
    public String toString() {
        return "CaStore.inMemory()";
    }
}
