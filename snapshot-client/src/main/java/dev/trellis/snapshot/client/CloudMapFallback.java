package dev.trellis.snapshot.client;

import dev.trellis.snapshot.Cluster;
import dev.trellis.snapshot.Endpoint;
import dev.trellis.snapshot.ProxySnapshot;
import dev.trellis.snapshot.Snapshots;
import dev.trellis.snapshot.client.cloudmap.CloudMapDirectory;
import dev.trellis.snapshot.client.cloudmap.DiscoveredInstance;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;

/**
 * What a proxy does when the controller stays away: it keeps every route, policy and cluster of
 * the last snapshot the controller sent (which is the spec, compiled for this proxy) and fills
 * the clusters with the endpoints Cloud Map has now, then seals the result like the controller
 * would. Endpoints are ordered as {@link dev.trellis.snapshot.SnapshotCompiler} orders them, so
 * the same endpoints give the same version the controller would compute.
 */
public final class CloudMapFallback {

    private final CloudMapDirectory directory;
    private final Function<ProxySnapshot, String> namespace;

    private CloudMapFallback(CloudMapDirectory directory, Function<ProxySnapshot, String> namespace) {
        this.directory = Objects.requireNonNull(directory, "directory");
        this.namespace = Objects.requireNonNull(namespace, "namespace");
    }

    /** Reads from the mesh's default namespace, {@code <mesh>.local}. */
    public static CloudMapFallback of(CloudMapDirectory directory) {
        return new CloudMapFallback(directory, s -> dev.trellis.naming.CloudMapNames.namespace(s.mesh()));
    }

    /** Reads from the named Cloud Map namespace. */
    public static CloudMapFallback of(CloudMapDirectory directory, String namespaceName) {
        Objects.requireNonNull(namespaceName, "namespaceName");
        return new CloudMapFallback(directory, s -> namespaceName);
    }

    /**
     * The last snapshot with fresh endpoints, sealed.
     *
     * @throws RuntimeException if Cloud Map cannot be read: the caller keeps what it has
     */
    public ProxySnapshot refresh(ProxySnapshot last) {
        String ns = namespace.apply(last);
        Set<String> services = new LinkedHashSet<>();
        last.clusters().forEach(c -> services.add(c.service()));
        Map<String, List<Endpoint>> byCluster = new HashMap<>();
        for (String service : services) {
            for (DiscoveredInstance instance : directory.discover(ns, service)) {
                byCluster.computeIfAbsent(Cluster.name(service, instance.version()), k -> new ArrayList<>())
                        .add(instance.toEndpoint());
            }
        }
        List<Cluster> clusters = new ArrayList<>(last.clusters().size());
        for (Cluster cluster : last.clusters()) {
            List<Endpoint> endpoints = new ArrayList<>(byCluster.getOrDefault(cluster.name(), List.of()));
            endpoints.sort(Comparator.comparing(Endpoint::address).thenComparingInt(Endpoint::port));
            clusters.add(cluster.withEndpoints(endpoints));
        }
        return Snapshots.seal(new ProxySnapshot(null, last.mesh(), last.service(), last.identity(),
                last.trustDomain(), last.inbound(), last.outbound(), clusters));
    }
}
