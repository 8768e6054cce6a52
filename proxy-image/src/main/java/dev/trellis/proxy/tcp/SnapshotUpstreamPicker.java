package dev.trellis.proxy.tcp;

import dev.trellis.snapshot.Cluster;
import dev.trellis.snapshot.Endpoint;
import dev.trellis.snapshot.ProxySnapshot;
import dev.trellis.snapshot.Route;
import dev.trellis.snapshot.VirtualService;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * Picks the host of a new connection to one {@code protocol: tcp} service from the snapshot in
 * force: a cluster by the weights of the service's first route (a TCP connection carries no path
 * or header to match), then the cluster's healthy hosts in turn. Reading the snapshot per
 * connection keeps it current across config pushes.
 */
public final class SnapshotUpstreamPicker implements UpstreamPicker {

    private final Supplier<ProxySnapshot> snapshots;
    private final String service;
    private final AtomicInteger next = new AtomicInteger();

    private SnapshotUpstreamPicker(Supplier<ProxySnapshot> snapshots, String service) {
        this.snapshots = snapshots;
        this.service = service;
    }

    public static SnapshotUpstreamPicker of(Supplier<ProxySnapshot> snapshots, String service) {
        return new SnapshotUpstreamPicker(snapshots, service);
    }

    @Override
    public Optional<InetSocketAddress> pick() {
        ProxySnapshot snapshot = snapshots.get();
        if (snapshot == null || snapshot.outbound() == null) {
            return Optional.empty();
        }
        Optional<Route> route = snapshot.outbound().services().stream()
                .filter(s -> s.name().equals(service))
                .map(VirtualService::routes)
                .filter(routes -> !routes.isEmpty())
                .map(routes -> routes.get(0))
                .findFirst();
        if (route.isEmpty()) {
            return Optional.empty();
        }
        Optional<Cluster> cluster = snapshot.cluster(weighted(route.get().targets()));
        if (cluster.isEmpty()) {
            return Optional.empty();
        }
        List<Endpoint> healthy = cluster.get().endpoints().stream().filter(Endpoint::healthy).toList();
        if (healthy.isEmpty()) {
            return Optional.empty();
        }
        Endpoint host = healthy.get(Math.floorMod(next.getAndIncrement(), healthy.size()));
        // Unresolved: Netty resolves it when connecting; an IP address needs no lookup.
        return Optional.of(InetSocketAddress.createUnresolved(host.address(), host.port()));
    }

    private static String weighted(List<Route.WeightedCluster> targets) {
        int total = 0;
        for (Route.WeightedCluster target : targets) {
            total += target.weight();
        }
        int ticket = ThreadLocalRandom.current().nextInt(Math.max(total, 1));
        for (Route.WeightedCluster target : targets) {
            ticket -= target.weight();
            if (ticket < 0) {
                return target.cluster();
            }
        }
        return targets.isEmpty() ? "" : targets.get(targets.size() - 1).cluster();
    }
}
