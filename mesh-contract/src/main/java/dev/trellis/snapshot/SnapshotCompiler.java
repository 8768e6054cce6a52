package dev.trellis.snapshot;

import dev.trellis.naming.CloudMapNames;
import dev.trellis.naming.MeshPorts;
import dev.trellis.naming.SpiffeId;
import dev.trellis.spec.CallerRule;
import dev.trellis.spec.DefaultPolicy;
import dev.trellis.spec.MeshSpec;
import dev.trellis.spec.RouteSpec;
import dev.trellis.spec.ServiceSpec;
import dev.trellis.spec.WeightedTarget;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.NoSuchElementException;

/**
 * Turns a spec and the endpoints a registry knows into the snapshot of one service's proxy.
 * Pure: the same inputs give the same snapshot, and so the same version.
 */
public final class SnapshotCompiler {

    /** The endpoints of one version of one service, as a registry knows them. */
    @FunctionalInterface
    public interface EndpointLookup {
        List<Endpoint> endpoints(String service, String version);
    }

    private SnapshotCompiler() {
    }

    public static ProxySnapshot compile(MeshSpec spec, String serviceName, EndpointLookup lookup) {
        ServiceSpec self = spec.service(serviceName).orElseThrow(() -> new NoSuchElementException(
                "service: " + serviceName + " (expected: a service of mesh " + spec.mesh() + ")"));
        List<Cluster> clusters = new ArrayList<>();
        List<VirtualService> services = new ArrayList<>();
        for (ServiceSpec service : spec.services()) {
            String identity = SpiffeId.of(spec.trustDomain(), spec.mesh(), service.name()).uri();
            for (String version : service.versions()) {
                List<Endpoint> endpoints = lookup.endpoints(service.name(), version);
                clusters.add(new Cluster(Cluster.name(service.name(), version), service.name(), version,
                        service.protocol(), service.loadBalancer(), service.connectionLimits(),
                        service.outlierDetection(), service.effectiveTls(spec), identity,
                        sorted(endpoints)));
            }
            services.add(new VirtualService(service.name(),
                    List.of(service.name(), CloudMapNames.host(spec.mesh(), service.name())),
                    service.protocol(), service.port(), routes(service)));
        }
        Inbound inbound = new Inbound(MeshPorts.INBOUND, self.port(), self.protocol(), self.effectiveTls(spec),
                authorization(spec, self));
        ProxySnapshot snapshot = new ProxySnapshot(null, spec.mesh(), self.name(),
                SpiffeId.of(spec.trustDomain(), spec.mesh(), self.name()).uri(), spec.trustDomain(),
                inbound, new Outbound(MeshPorts.OUTBOUND, services), clusters);
        return Snapshots.seal(snapshot);
    }

    private static List<Route> routes(ServiceSpec service) {
        List<RouteSpec> ordered = new ArrayList<>(service.effectiveRoutes());
        // A stable sort: equal priorities keep the order the spec gives them.
        ordered.sort(Comparator.comparingInt(RouteSpec::priority));
        List<Route> routes = new ArrayList<>();
        for (int i = 0; i < ordered.size(); i++) {
            RouteSpec r = ordered.get(i);
            List<Route.WeightedCluster> targets = new ArrayList<>();
            for (WeightedTarget t : r.targets()) {
                if (t.weight() > 0) {
                    targets.add(new Route.WeightedCluster(Cluster.name(service.name(), t.version()), t.weight()));
                }
            }
            Route.MirrorPolicy mirror = r.mirror() == null ? null
                    : new Route.MirrorPolicy(Cluster.name(service.name(), r.mirror().version()), r.mirror().percent());
            routes.add(new Route(
                    r.name() != null ? r.name() : "route-" + i,
                    r.match(),
                    targets,
                    r.timeouts() != null ? r.timeouts() : service.timeouts(),
                    r.retry() != null ? r.retry() : service.retry(),
                    r.hostRewrite(),
                    r.fault(),
                    mirror));
        }
        return routes;
    }

    private static Authorization authorization(MeshSpec spec, ServiceSpec self) {
        if (self.allowedCallers() == null) {
            return spec.defaultPolicy() == DefaultPolicy.ALLOW ? Authorization.ALLOW_ALL
                    : new Authorization(false, List.of());
        }
        List<Authorization.Rule> rules = new ArrayList<>();
        for (CallerRule caller : self.allowedCallers()) {
            rules.add(new Authorization.Rule(SpiffeId.of(spec.trustDomain(), spec.mesh(), caller.service()).uri(),
                    caller.paths(), caller.methods()));
        }
        return new Authorization(false, rules);
    }

    private static List<Endpoint> sorted(List<Endpoint> endpoints) {
        List<Endpoint> copy = new ArrayList<>(endpoints == null ? List.of() : endpoints);
        copy.sort(Comparator.comparing(Endpoint::address).thenComparingInt(Endpoint::port));
        return copy;
    }
}
