package dev.trellis.proxy.upstream;

import dev.trellis.proxy.circuitbreaker.CircuitBreaker;
import dev.trellis.proxy.loadbalancer.LoadBalancer;
import dev.trellis.proxy.metrics.ProxyMetrics;
import dev.trellis.proxy.outlier.OutlierDetector;
import dev.trellis.snapshot.Cluster;
import java.util.List;
import java.util.function.Predicate;

/**
 * A cluster as one routing table uses it: its hosts, how one is picked, its circuit breaker and
 * outlier detection. Immutable; the mutable parts (host state, breaker counts) are shared with
 * the clusters of later tables that keep them.
 */
public final class UpstreamCluster {

    private final Cluster config;
    private final List<UpstreamHost> hosts;
    private final LoadBalancer loadBalancer;
    private final CircuitBreaker breaker;
    private final OutlierDetector outlier;
    private final ProxyMetrics.ClusterMeters meters;

    public UpstreamCluster(Cluster config, List<UpstreamHost> hosts, LoadBalancer loadBalancer,
                           CircuitBreaker breaker, ProxyMetrics.ClusterMeters meters) {
        this.config = config;
        this.hosts = List.copyOf(hosts);
        this.loadBalancer = loadBalancer;
        this.breaker = breaker;
        this.meters = meters;
        this.outlier = new OutlierDetector(config.outlierDetection(), (host, nanos) -> meters.ejected());
    }

    public String name() {
        return config.name();
    }

    public Cluster config() {
        return config;
    }

    public List<UpstreamHost> hosts() {
        return hosts;
    }

    public CircuitBreaker breaker() {
        return breaker;
    }

    public ProxyMetrics.ClusterMeters meters() {
        return meters;
    }

    public LoadBalancer loadBalancer() {
        return loadBalancer;
    }

    /** A host for the next try, avoiding {@code exclude} where another exists; null when the cluster is empty. */
    public UpstreamHost pick(Predicate<UpstreamHost> exclude) {
        return loadBalancer.pick(hosts, exclude);
    }

    /** A try got a response that is not a server error. */
    public void reportSuccess(UpstreamHost host) {
        outlier.onSuccess(host.health());
    }

    /** A try failed with a 5xx or a connect failure. */
    public void reportFailure(UpstreamHost host) {
        outlier.onFailure(host.health(), hosts, UpstreamHost::health);
    }
}
