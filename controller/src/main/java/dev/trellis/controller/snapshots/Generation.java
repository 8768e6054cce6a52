package dev.trellis.controller.snapshots;

import dev.trellis.controller.spec.LoadedSpec;
import dev.trellis.snapshot.Cluster;
import dev.trellis.snapshot.VirtualService;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Everything needed to serve every service's snapshot at one moment: immutable, except that each
 * service's snapshot is sealed on first use and then kept.
 */
final class Generation {

    final long number;
    final LoadedSpec spec;
    final SpecParts specParts;
    final Map<String, ClusterEntry> clusters;
    final List<Cluster> clusterList;
    final ServiceTemplate.Shared clustersJson;
    final Instant createdAt;
    private final Map<String, Lazy> sealed;

    Generation(long number, LoadedSpec spec, SpecParts specParts, Map<String, ClusterEntry> clusters,
            List<Cluster> clusterList, ServiceTemplate.Shared clustersJson, Instant createdAt) {
        this.number = number;
        this.spec = spec;
        this.specParts = specParts;
        this.clusters = clusters;
        this.clusterList = clusterList;
        this.clustersJson = clustersJson;
        this.createdAt = createdAt;
        java.util.HashMap<String, Lazy> lazy = new java.util.HashMap<>();
        specParts.templates().keySet().forEach(s -> lazy.put(s, new Lazy()));
        this.sealed = Map.copyOf(lazy);
    }

    boolean has(String service) {
        return sealed.containsKey(service);
    }

    /** The service's sealed snapshot, sealing it now if no one asked before; null for an unknown service. */
    SealedSnapshot seal(String service) {
        Lazy lazy = sealed.get(service);
        if (lazy == null) {
            return null;
        }
        return lazy.get(() -> specParts.templates().get(service).seal(number, specParts.servicesJson(), clustersJson,
                specParts.services(), clusterList));
    }

    /** Sealed already, without sealing. */
    SealedSnapshot sealedOrNull(String service) {
        Lazy lazy = sealed.get(service);
        return lazy == null ? null : lazy.value;
    }

    /** A cluster with its JSON, kept across generations while neither its spec nor its endpoints change. */
    record ClusterEntry(Cluster cluster, byte[] json) {
    }

    /** What a spec compiles to, before endpoints: the shared outbound services, cluster skeletons, per-service templates. */
    record SpecParts(LoadedSpec spec, List<VirtualService> services, ServiceTemplate.Shared servicesJson, List<Cluster> skeletons,
            Map<String, ServiceTemplate> templates) {
    }

    private static final class Lazy {
        private volatile SealedSnapshot value;

        SealedSnapshot get(java.util.function.Supplier<SealedSnapshot> seal) {
            SealedSnapshot v = value;
            if (v != null) {
                return v;
            }
            synchronized (this) {
                if (value == null) {
                    value = seal.get();
                }
                return value;
            }
        }
    }
}
