package dev.trellis.hooks.canary;

/**
 * The CloudWatch names of the proxy's request meters, the one place the canary driver takes them
 * from. They follow {@code dev.trellis.proxy.metrics.ProxyMetrics} (proxy-image): meter
 * {@code trellis.proxy.requests} (a counter tagged service, route, cluster and status class) and
 * {@code trellis.proxy.request.duration} (a timer with client-side percentiles, published as a
 * gauge tagged {@code phi}). Micrometer's CloudWatch registry appends the statistic
 * ({@code .count} for counters, {@code .value} for gauges) and reports durations in milliseconds.
 * {@code ProxyPublishedMetricsTest} publishes through the proxy's own export and reads them back,
 * so a rename on either side fails a test.
 */
public final class ProxyMetricNames {

    /** The CloudWatch namespace the proxies publish to. */
    public static final String NAMESPACE = "Trellis";
    /** Responses per step and status class (unit Count). */
    public static final String REQUESTS = "trellis.proxy.requests.count";
    /** Client-side latency percentiles in milliseconds, one series per {@link #PHI} value. */
    public static final String LATENCY_PERCENTILE = "trellis.proxy.request.duration.percentile.value";

    public static final String SERVICE = "service";
    public static final String ROUTE = "route";
    /** {@code <service>/<version>}. */
    public static final String CLUSTER = "cluster";
    /** {@code 1xx} .. {@code 5xx}, or {@code none} when no response was sent. */
    public static final String STATUS = "status";
    public static final String PHI = "phi";
    /** The {@link #PHI} value of the 99th percentile, as Micrometer formats it. */
    public static final String P99 = "0.99";
    public static final String SERVER_ERROR_CLASS = "5xx";

    private ProxyMetricNames() {
    }

    /** The cluster a version of a service is published under. */
    public static String cluster(String service, String version) {
        return service + "/" + version;
    }
}
