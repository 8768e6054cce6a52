package dev.trellis.snapshot;

import java.util.List;
import java.util.Optional;

/**
 * Everything one proxy needs, as one immutable value. Its {@code version} is a hash of the rest,
 * so that equal contents have equal versions and a proxy that holds a version needs nothing new.
 * Build one with {@link SnapshotCompiler}, or seal a hand-made one with {@link Snapshots#seal}.
 *
 * @param version content hash, set by {@link Snapshots#seal}
 * @param mesh the mesh
 * @param service the service whose proxy this is
 * @param identity the proxy's SPIFFE ID
 * @param trustDomain the trust domain of every identity it accepts
 * @param inbound the listener peers call
 * @param outbound the listener the local app calls
 * @param clusters every cluster a route may send to
 */
public record ProxySnapshot(
        String version,
        String mesh,
        String service,
        String identity,
        String trustDomain,
        Inbound inbound,
        Outbound outbound,
        List<Cluster> clusters) {

    public ProxySnapshot {
        clusters = clusters != null ? List.copyOf(clusters) : List.of();
    }

    public Optional<Cluster> cluster(String name) {
        return clusters.stream().filter(c -> c.name().equals(name)).findFirst();
    }

    public ProxySnapshot withVersion(String newVersion) {
        return new ProxySnapshot(newVersion, mesh, service, identity, trustDomain, inbound, outbound, clusters);
    }
}
