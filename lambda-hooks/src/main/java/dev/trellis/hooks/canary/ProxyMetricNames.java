package dev.trellis.hooks.canary;

import dev.trellis.naming.MetricNames;
/**
 * The CloudWatch names of the proxy's request meters as the canary driver reads them, derived
 * from mesh-contract's {@link MetricNames} (which the proxy publishes under): meter
 * {@code trellis.proxy.requests} (a counter tagged service, route, cluster and status class) and
 * {@code trellis.proxy.request.duration} (a timer with client-side percentiles, published as a
 * gauge tagged {@code phi}). Micrometer's CloudWatch registry appends the statistic
 * ({@code .count} for counters, {@code .value} for gauges) and reports durations in milliseconds.
 * {@code ProxyPublishedMetricsTest} publishes through the proxy's own export and reads them back,
 * so a rename on either side fails a test.
 */
public final class ProxyMetricNames {

    /** The CloudWatch namespace the proxies publish to. */
    public static final String NAMESPACE = MetricNames.DEFAULT_NAMESPACE;
    /** Responses per step and status class (unit Count). */
    public static final String REQUESTS = MetricNames.cloudWatchCount(MetricNames.REQUESTS);
    /** Client-side latency percentiles in milliseconds, one series per {@link #PHI} value. */
    public static final String LATENCY_PERCENTILE = MetricNames.cloudWatchPercentile(MetricNames.REQUEST_DURATION);

    public static final String SERVICE = MetricNames.TAG_SERVICE;
    public static final String ROUTE = MetricNames.TAG_ROUTE;
    /** {@code <service>/<version>}. */
    public static final String CLUSTER = MetricNames.TAG_CLUSTER;
    /** {@code 1xx} .. {@code 5xx}, or {@code none} when no response was sent. */
    public static final String STATUS = MetricNames.TAG_STATUS;
    public static final String PHI = MetricNames.TAG_PERCENTILE;
    /** The {@link #PHI} value of the 99th percentile, as Micrometer formats it. */
    public static final String P99 = MetricNames.P99;
    public static final String SERVER_ERROR_CLASS = MetricNames.SERVER_ERROR_CLASS;

    private ProxyMetricNames() {
    }

    /** The cluster a version of a service is published under. */
    public static String cluster(String service, String version) {
        return service + "/" + version;
    }
}
