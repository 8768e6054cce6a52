package dev.trellis.cli.up;

import dev.trellis.cli.traffic.TrafficGenerator.TrafficStats;
import dev.trellis.naming.MetricNames;
import dev.trellis.snapshot.client.ControllerSnapshotSource;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.distribution.ValueAtPercentile;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What {@code trellis status --json} prints and the live view shows: the traffic as the client
 * saw it, and per route and cluster what the proxies forwarded, with every instance and the
 * snapshot version its proxy holds. Field names are a stable contract.
 *
 * @param mesh the mesh
 * @param uptimeSeconds since {@code up} started
 * @param traffic the main traffic as the generator measured it
 * @param probes side streams (such as a caller that should be denied)
 * @param routes per caller, service, route and cluster, from the callers' outbound proxies
 * @param instances every instance, its ports, health and snapshot
 */
public record MeshStatus(String mesh, double uptimeSeconds, TrafficStats traffic, List<TrafficStats> probes,
                         List<RouteStatus> routes, List<InstanceStatus> instances) {

    /**
     * @param caller the calling service (whose outbound proxy counted)
     * @param service the called service
     * @param route the route taken
     * @param cluster {@code service/version}
     * @param requests responses since the start
     * @param succeeded 2xx responses since the start
     * @param ratePerSecond responses per second over the last interval
     * @param p50Ms median latency (recent window)
     * @param p99Ms 99th percentile latency (recent window)
     * @param retries retries since the start
     * @param ejections outlier ejections of the cluster's hosts seen by this caller
     */
    public record RouteStatus(String caller, String service, String route, String cluster, long requests,
                              long succeeded, double ratePerSecond, double p50Ms, double p99Ms, long retries,
                              long ejections) {
        public double successRate() {
            return requests == 0 ? 1.0 : (double) succeeded / requests;
        }
    }

    /**
     * @param name instance name
     * @param service its service
     * @param version its version
     * @param appPort where the example service listens
     * @param inboundPort its proxy's inbound listener (registered in the controller)
     * @param outboundPort its proxy's outbound listener
     * @param ready whether the proxy holds a snapshot and listens
     * @param snapshotVersion the controller's snapshot version the proxy applied
     * @param snapshotOrigin where that snapshot came from
     * @param served requests the example service answered
     */
    public record InstanceStatus(String name, String service, String version, int appPort, int inboundPort,
                                 int outboundPort, boolean ready, String snapshotVersion, String snapshotOrigin,
                                 long served) {
    }

    /** Reads the proxies' meters; rates are relative to {@code previous} (may be null). */
    public static MeshStatus collect(LocalMesh mesh, MeshStatus previous, double uptimeSeconds) {
        Map<String, RouteStatus> before = new TreeMap<>();
        if (previous != null) {
            previous.routes().forEach(r -> before.put(key(r.caller(), r.service(), r.route(), r.cluster()), r));
        }
        double interval = previous == null ? uptimeSeconds : Math.max(0.001, uptimeSeconds - previous.uptimeSeconds());
        Map<String, long[]> counts = new TreeMap<>();
        Map<String, Timer> timers = new TreeMap<>();
        Map<String, Long> ejectionsByCallerCluster = new TreeMap<>();
        for (LocalMesh.MeshInstance instance : mesh.instances()) {
            MeterRegistry registry = instance.metrics().registry();
            for (Meter meter : registry.getMeters()) {
                String name = meter.getId().getName();
                String service = meter.getId().getTag(MetricNames.TAG_SERVICE);
                String route = meter.getId().getTag(MetricNames.TAG_ROUTE);
                String cluster = meter.getId().getTag(MetricNames.TAG_CLUSTER);
                if (name.equals(MetricNames.EJECTIONS) && meter instanceof Counter c && cluster != null) {
                    ejectionsByCallerCluster.merge(instance.service() + "|" + cluster, (long) c.count(), Long::sum);
                }
                if (service == null || route == null || cluster == null || MetricNames.INBOUND_ROUTE.equals(route)) {
                    continue;
                }
                String key = key(instance.service(), service, route, cluster);
                long[] c = counts.computeIfAbsent(key, k -> new long[3]);
                if (name.equals(MetricNames.REQUESTS) && meter instanceof Counter counter) {
                    c[0] += (long) counter.count();
                    if ("2xx".equals(meter.getId().getTag(MetricNames.TAG_STATUS))) {
                        c[1] += (long) counter.count();
                    }
                } else if (name.equals(MetricNames.RETRIES) && meter instanceof Counter counter) {
                    c[2] += (long) counter.count();
                } else if (name.equals(MetricNames.REQUEST_DURATION) && meter instanceof Timer timer) {
                    timers.merge(key, timer, (a, b) -> a.count() >= b.count() ? a : b);
                }
            }
        }
        List<RouteStatus> routes = new ArrayList<>();
        for (Map.Entry<String, long[]> e : counts.entrySet()) {
            String[] k = e.getKey().split("\\|", -1);
            long[] c = e.getValue();
            RouteStatus old = before.get(e.getKey());
            double rate = (c[0] - (old == null ? 0 : old.requests())) / interval;
            double[] p = percentiles(timers.get(e.getKey()));
            routes.add(new RouteStatus(k[0], k[1], k[2], k[3], c[0], c[1], rate, p[0], p[1], c[2],
                    ejectionsByCallerCluster.getOrDefault(k[0] + "|" + k[3], 0L)));
        }
        routes.sort(Comparator.comparing(RouteStatus::caller).thenComparing(RouteStatus::service)
                .thenComparing(RouteStatus::route).thenComparing(RouteStatus::cluster));
        List<InstanceStatus> instances = new ArrayList<>();
        for (LocalMesh.MeshInstance i : mesh.instances()) {
            ControllerSnapshotSource source = i.source();
            instances.add(new InstanceStatus(i.name(), i.service(), i.version(), i.app().port(),
                    i.proxy().inboundPort(), i.proxy().outboundPort(), i.proxy().ready(),
                    source.appliedVersion().orElse(null), source.origin().name().toLowerCase(), i.app().served()));
        }
        List<TrafficStats> probes = mesh.probes().stream().map(p -> p.sample()).toList();
        return new MeshStatus(mesh.mesh(), uptimeSeconds, mesh.traffic().sample(), probes, routes, instances);
    }

    private static double[] percentiles(Timer timer) {
        double p50 = 0;
        double p99 = 0;
        if (timer != null) {
            for (ValueAtPercentile v : timer.takeSnapshot().percentileValues()) {
                if (v.percentile() == 0.5) {
                    p50 = v.value(java.util.concurrent.TimeUnit.MILLISECONDS);
                } else if (v.percentile() == 0.99) {
                    p99 = v.value(java.util.concurrent.TimeUnit.MILLISECONDS);
                }
            }
        }
        return new double[] {p50, p99};
    }

    private static String key(String caller, String service, String route, String cluster) {
        return caller + "|" + service + "|" + route + "|" + cluster;
    }
}
