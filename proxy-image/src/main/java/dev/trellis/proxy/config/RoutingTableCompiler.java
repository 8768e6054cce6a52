package dev.trellis.proxy.config;

import dev.trellis.naming.SpiffeId;
import dev.trellis.proxy.circuitbreaker.CircuitBreaker;
import dev.trellis.proxy.loadbalancer.LoadBalancer;
import dev.trellis.proxy.metrics.ProxyMetrics;
import dev.trellis.proxy.routing.CompiledRoute;
import dev.trellis.proxy.routing.RouteTarget;
import dev.trellis.proxy.routing.ServiceRoutes;
import dev.trellis.proxy.upstream.UpstreamCluster;
import dev.trellis.proxy.upstream.UpstreamConnector;
import dev.trellis.proxy.upstream.UpstreamHost;
import dev.trellis.snapshot.Cluster;
import dev.trellis.snapshot.Endpoint;
import dev.trellis.snapshot.ProxySnapshot;
import dev.trellis.snapshot.Route;
import dev.trellis.snapshot.VirtualService;
import dev.trellis.spec.ConnectionLimits;
import dev.trellis.spec.OutlierDetection;
import dev.trellis.spec.RetryPolicy;
import dev.trellis.spec.RouteMatch;
import dev.trellis.spec.Timeouts;
import dev.trellis.spec.TlsMode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Compiles a snapshot into a {@link RoutingTable}, carrying over from the previous table what
 * must survive a config push: hosts of unchanged endpoints (their connection pools, requests in
 * flight and outlier state) and each cluster's circuit breaker counts. Returns the hosts that
 * left, to be retired once the new table is in place.
 */
final class RoutingTableCompiler {

    /** The inbound cluster's name: the application beside the proxy. */
    static final String LOCAL_APP = ProxyMetrics.LOCAL_APP_CLUSTER;

    private final UpstreamConnector connector;
    private final ProxyMetrics metrics;
    private final int appPortOverride;

    RoutingTableCompiler(UpstreamConnector connector, ProxyMetrics metrics, int appPortOverride) {
        this.connector = connector;
        this.metrics = metrics;
        this.appPortOverride = appPortOverride;
    }

    record Result(RoutingTable table, List<UpstreamHost> retired) {
    }

    Result compile(ProxySnapshot snapshot, RoutingTable previous) {
        Map<String, UpstreamCluster> clusters = new HashMap<>();
        Set<UpstreamHost> kept = new HashSet<>();
        for (Cluster cluster : snapshot.clusters()) {
            clusters.put(cluster.name(), cluster(cluster, previous, kept));
        }
        Map<String, ServiceRoutes> byHost = new HashMap<>();
        IdleTimeouts idle = new IdleTimeouts(snapshot);
        for (VirtualService service : snapshot.outbound().services()) {
            List<CompiledRoute> routes = new ArrayList<>();
            for (Route route : service.routes()) {
                List<RouteTarget> targets = new ArrayList<>();
                for (Route.WeightedCluster target : route.targets()) {
                    targets.add(new RouteTarget(clusters.get(target.cluster()),
                            metrics.forRoute(service.name(), route.name(), target.cluster())));
                }
                UpstreamCluster mirror = route.mirror() == null ? null : clusters.get(route.mirror().cluster());
                routes.add(new CompiledRoute(service.name(), route, targets, mirror));
            }
            ServiceRoutes compiled = new ServiceRoutes(service.name(), routes);
            for (String host : service.hosts()) {
                byHost.put(host.toLowerCase(Locale.ROOT), compiled);
            }
        }
        Cluster localApp = new Cluster(LOCAL_APP, snapshot.service(), "local", snapshot.inbound().protocol(),
                dev.trellis.spec.LoadBalancer.ROUND_ROBIN, ConnectionLimits.DEFAULT,
                // The local app is the only host: it is never ejected (at most one host may be, and ejection
                // would only turn its errors into the proxy's).
                new OutlierDetection(Integer.MAX_VALUE, null, null, 0), TlsMode.DISABLED, snapshot.identity(),
                List.of(Endpoint.of("127.0.0.1", appPortOverride > 0 ? appPortOverride : snapshot.inbound().appPort())));
        UpstreamCluster local = cluster(localApp, previous, kept);
        Route inboundRoute = new Route(ProxyMetrics.INBOUND_ROUTE, RouteMatch.ANY,
                List.of(new Route.WeightedCluster(LOCAL_APP, 1)), Timeouts.DEFAULT, RetryPolicy.NONE, null, null, null);
        CompiledRoute inbound = new CompiledRoute(snapshot.service(), inboundRoute,
                List.of(new RouteTarget(local, metrics.forInbound(snapshot.service()))), null);
        clusters.put(LOCAL_APP, local);
        for (UpstreamCluster cluster : clusters.values()) {
            long idleNanos = cluster == local ? idle.inboundNanos : idle.ofCluster(cluster.name());
            for (UpstreamHost host : cluster.hosts()) {
                host.idleTimeoutNanos(idleNanos);
            }
        }

        List<UpstreamHost> retired = new ArrayList<>();
        if (previous != null) {
            for (UpstreamCluster old : previous.clusters().values()) {
                for (UpstreamHost host : old.hosts()) {
                    if (!kept.contains(host)) {
                        retired.add(host);
                    }
                }
            }
        }
        return new Result(new RoutingTable(snapshot, byHost, clusters, inbound, idle.outboundNanos, idle.inboundNanos),
                retired);
    }

    /**
     * The idle timeouts of a snapshot, from its routes' {@code timeouts.idle} (route over service,
     * 300 s by default). A connection may serve requests of several routes, so it gets the longest
     * of them: the outbound listener's, of every route; the inbound listener's (and the local
     * app's connections), of the routes of the proxy's own service; an upstream cluster's, of the
     * routes that send or mirror to it.
     */
    private static final class IdleTimeouts {
        private static final long DEFAULT_NANOS = Timeouts.DEFAULT.idle().toNanos();

        private final Map<String, Long> byCluster = new HashMap<>();
        private final long outboundNanos;
        private final long inboundNanos;

        IdleTimeouts(ProxySnapshot snapshot) {
            long outbound = 0;
            long inbound = 0;
            for (VirtualService service : snapshot.outbound().services()) {
                for (Route route : service.routes()) {
                    long nanos = route.timeouts().idle().toNanos();
                    outbound = Math.max(outbound, nanos);
                    if (service.name().equals(snapshot.service())) {
                        inbound = Math.max(inbound, nanos);
                    }
                    for (Route.WeightedCluster target : route.targets()) {
                        byCluster.merge(target.cluster(), nanos, Math::max);
                    }
                    if (route.mirror() != null) {
                        byCluster.merge(route.mirror().cluster(), nanos, Math::max);
                    }
                }
            }
            this.outboundNanos = outbound > 0 ? outbound : DEFAULT_NANOS;
            this.inboundNanos = inbound > 0 ? inbound : DEFAULT_NANOS;
        }

        long ofCluster(String name) {
            return byCluster.getOrDefault(name, DEFAULT_NANOS);
        }
    }

    private UpstreamCluster cluster(Cluster config, RoutingTable previous, Set<UpstreamHost> kept) {
        UpstreamCluster old = previous == null ? null : previous.cluster(config.name());
        CircuitBreaker breaker;
        if (old != null) {
            breaker = old.breaker();
            breaker.limits(config.limits());
        } else {
            breaker = new CircuitBreaker(config.limits());
        }
        boolean multiplexed = config.protocol().isHttp2();
        // STRICT or PERMISSIVE hosts are called over mTLS, when this proxy has a mesh certificate.
        SpiffeId identity = connector.originatesTls() && config.tls() != TlsMode.DISABLED && config.identity() != null
                ? SpiffeId.parse(config.identity()) : null;
        List<UpstreamHost> hosts = new ArrayList<>();
        for (Endpoint endpoint : config.endpoints()) {
            UpstreamHost host = null;
            if (old != null) {
                for (UpstreamHost candidate : old.hosts()) {
                    if (candidate.sameAs(endpoint, multiplexed, breaker, identity)) {
                        host = candidate;
                        host.endpoint(endpoint);
                        break;
                    }
                }
            }
            if (host == null) {
                host = new UpstreamHost(endpoint, multiplexed, breaker, connector, identity);
            }
            kept.add(host);
            hosts.add(host);
        }
        LoadBalancer balancer = old != null && old.config().loadBalancer() == config.loadBalancer()
                ? old.loadBalancer() : LoadBalancer.of(config.loadBalancer());
        return new UpstreamCluster(config, hosts, balancer, breaker, metrics.forCluster(config.name()));
    }
}
