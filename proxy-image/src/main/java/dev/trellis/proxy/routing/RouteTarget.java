package dev.trellis.proxy.routing;

import dev.trellis.proxy.metrics.ProxyMetrics;
import dev.trellis.proxy.upstream.UpstreamCluster;

/** One weighted target of a route: the cluster and the route's meters for it, resolved at compile time. */
public record RouteTarget(UpstreamCluster cluster, ProxyMetrics.RouteMeters meters) {
}
