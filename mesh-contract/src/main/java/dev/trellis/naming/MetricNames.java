package dev.trellis.naming;

/**
 * The proxy's meters as every module names them: the proxy publishes them (Micrometer, to
 * Prometheus and CloudWatch), the CDK draws dashboards and alarms on them, the canary hook reads
 * them. Micrometer's CloudWatch export appends a statistic: {@code .count} for counters and a
 * timer's count, {@code .value} for gauges such as a timer's percentiles (in milliseconds).
 */
public final class MetricNames {

    /** The CloudWatch namespace proxies publish to unless the mesh names another. */
    public static final String DEFAULT_NAMESPACE = "Trellis";

    /** Counter: responses by status class. Tags: service, route, cluster, status. */
    public static final String REQUESTS = "trellis.proxy.requests";
    /** Timer: request duration, first byte in to last byte out. Tags: service, route, cluster. */
    public static final String REQUEST_DURATION = "trellis.proxy.request.duration";
    /** Counter: tries sent again. Tags: service, route, cluster. */
    public static final String RETRIES = "trellis.proxy.retries";
    /** Counter: requests refused by a circuit breaker. Tags: cluster, reason. */
    public static final String CIRCUIT_BREAKER_REJECTIONS = "trellis.proxy.circuit.breaker.rejections";
    /** Counter: hosts ejected by outlier detection. Tag: cluster. */
    public static final String EJECTIONS = "trellis.proxy.outlier.ejections";
    /** Gauge: open connections. Tag: direction. */
    public static final String ACTIVE_CONNECTIONS = "trellis.proxy.connections.active";
    /**
     * Gauge: seconds until the proxy's mesh certificate expires. It falls while the CA cannot be
     * reached (the proxy keeps its certificate meanwhile), so an alarm on it fires long before any
     * handshake fails.
     */
    public static final String CERTIFICATE_EXPIRY = "trellis.proxy.certificate.expiry";
    /** Counter: requests refused before routing. Tag: reason. */
    public static final String BAD_REQUESTS = "trellis.proxy.bad.requests";

    /** Tag on every meter: the mesh. */
    public static final String TAG_MESH = "mesh";
    /** Tag on every meter: the service the proxy sits beside. */
    public static final String TAG_LOCAL_SERVICE = "local_service";
    public static final String TAG_SERVICE = "service";
    public static final String TAG_ROUTE = "route";
    /** {@code <service>/<version>}, or {@link #LOCAL_APP_CLUSTER} on the inbound side. */
    public static final String TAG_CLUSTER = "cluster";
    /** {@code 1xx} .. {@code 5xx}, or {@code none} when no response was sent. */
    public static final String TAG_STATUS = "status";
    /** A percentile's CloudWatch dimension, such as {@code 0.99}. */
    public static final String TAG_PERCENTILE = "phi";

    /** The route tag of requests the inbound listener forwards to the local app. */
    public static final String INBOUND_ROUTE = "inbound";
    /** The cluster tag of requests the inbound listener forwards to the local app. */
    public static final String LOCAL_APP_CLUSTER = "local-app";
    public static final String SERVER_ERROR_CLASS = "5xx";
    public static final String P99 = "0.99";

    private MetricNames() {
    }

    /** The CloudWatch name of a counter or a timer's count: {@code <meter>.count}. */
    public static String cloudWatchCount(String meter) {
        return meter + ".count";
    }

    /** The CloudWatch name of a gauge: {@code <meter>.value}. */
    public static String cloudWatchValue(String meter) {
        return meter + ".value";
    }

    /** The CloudWatch name of a timer's published percentiles: {@code <meter>.percentile.value}. */
    public static String cloudWatchPercentile(String meter) {
        return meter + ".percentile.value";
    }
}
