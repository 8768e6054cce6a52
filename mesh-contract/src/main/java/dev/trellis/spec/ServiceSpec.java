package dev.trellis.spec;

import java.util.List;
import java.util.Optional;

/**
 * A service of the mesh: what it speaks, its versions, how callers reach it and who may call.
 *
 * @param name the service's name in the mesh, in Cloud Map and in identities
 * @param protocol what its listener speaks
 * @param port the port the application listens on, behind the proxy
 * @param versions the versions that may run at once (canaries); workloads name one
 * @param routes how requests are split among versions; empty means one route sending every request to all versions equally
 * @param timeouts request, idle and connect limits
 * @param retry the retry policy of every route that sets none
 * @param connectionLimits circuit breaker thresholds
 * @param outlierDetection when to eject a failing host
 * @param loadBalancer how one endpoint is picked
 * @param tls overrides the mesh's TLS mode for this service's inbound listener
 * @param allowedCallers who may call; null means the mesh's default policy decides
 */
public record ServiceSpec(
        String name,
        Protocol protocol,
        Integer port,
        List<String> versions,
        List<RouteSpec> routes,
        Timeouts timeouts,
        RetryPolicy retry,
        ConnectionLimits connectionLimits,
        OutlierDetection outlierDetection,
        LoadBalancer loadBalancer,
        TlsMode tls,
        List<CallerRule> allowedCallers) {

    public ServiceSpec {
        protocol = protocol != null ? protocol : Protocol.HTTP;
        versions = versions != null ? List.copyOf(versions) : List.of("v1");
        routes = routes != null ? List.copyOf(routes) : List.of();
        timeouts = timeouts != null ? timeouts : Timeouts.DEFAULT;
        retry = retry != null ? retry : RetryPolicy.DEFAULT;
        connectionLimits = connectionLimits != null ? connectionLimits : ConnectionLimits.DEFAULT;
        outlierDetection = outlierDetection != null ? outlierDetection : OutlierDetection.DEFAULT;
        loadBalancer = loadBalancer != null ? loadBalancer : LoadBalancer.ROUND_ROBIN;
        allowedCallers = allowedCallers != null ? List.copyOf(allowedCallers) : null;
    }

    /** A service with every default: http, version v1, one route to it. */
    public static ServiceSpec of(String name, int port) {
        return new ServiceSpec(name, null, port, null, null, null, null, null, null, null, null, null);
    }

    /** The TLS mode in force: this service's own, else the mesh's. */
    public TlsMode effectiveTls(MeshSpec mesh) {
        return tls != null ? tls : mesh.tls();
    }

    /** The routes in force: the declared ones, or one route that splits evenly over every version. */
    public List<RouteSpec> effectiveRoutes() {
        if (!routes.isEmpty()) {
            return routes;
        }
        List<WeightedTarget> even = versions.stream().map(v -> WeightedTarget.of(v, 1)).toList();
        return List.of(RouteSpec.to("default", RouteMatch.ANY, even));
    }

    public Optional<RouteSpec> route(String routeName) {
        return routes.stream().filter(r -> routeName.equals(r.name())).findFirst();
    }

    public ServiceSpec withRoutes(List<RouteSpec> newRoutes) {
        return new ServiceSpec(name, protocol, port, versions, newRoutes, timeouts, retry,
                connectionLimits, outlierDetection, loadBalancer, tls, allowedCallers);
    }
}
