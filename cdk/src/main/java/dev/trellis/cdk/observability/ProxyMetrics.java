package dev.trellis.cdk.observability;

/**
 * The CloudWatch metrics every proxy publishes through Micrometer's CloudWatch export, named as
 * that export names them ({@code <meter>.count} for counters and timer counts,
 * {@code <meter>.percentile.value} for a timer's published percentiles). The proxy tags each
 * outbound request with the destination {@value #SERVICE}, the {@value #ROUTE} it took and the
 * {@value #CLUSTER} ({@code service/version}) it went to; ejections carry no route.
 */
public final class ProxyMetrics {

    /** The metric namespace unless the mesh names another. */
    public static final String DEFAULT_NAMESPACE = "Trellis";

    /** Requests forwarded (Micrometer timer {@code trellis.requests}), statistic Sum. */
    public static final String REQUESTS = "trellis.requests.count";
    /** Latency percentiles of the same timer in milliseconds, dimension {@value #PERCENTILE} = 0.99 for p99. */
    public static final String LATENCY_PERCENTILE = "trellis.requests.percentile.value";
    /** Requests that failed: 5xx, reset, timeout or connect failure after retries (counter {@code trellis.errors}). */
    public static final String ERRORS = "trellis.errors.count";
    /** Retries sent (counter {@code trellis.retries}). */
    public static final String RETRIES = "trellis.retries.count";
    /** Hosts ejected by outlier detection (counter {@code trellis.ejections}), dimensions service and cluster. */
    public static final String EJECTIONS = "trellis.ejections.count";

    public static final String SERVICE = "service";
    public static final String ROUTE = "route";
    public static final String CLUSTER = "cluster";
    /** Micrometer's tag of a published percentile. */
    public static final String PERCENTILE = "phi";
    public static final String P99 = "0.99";

    private ProxyMetrics() {
    }

    /**
     * A CloudWatch SEARCH over every route and cluster of one service, for dashboards (alarms
     * cannot use SEARCH).
     */
    static String search(String namespace, String metricName, String service, String statistic, boolean withRoute) {
        String schema = withRoute ? "{" + namespace + "," + CLUSTER + "," + ROUTE + "," + SERVICE + "}"
                : "{" + namespace + "," + CLUSTER + "," + SERVICE + "}";
        return "SEARCH('" + schema + " MetricName=\"" + metricName + "\" " + SERVICE + "=\"" + service + "\"', '"
                + statistic + "', 60)";
    }

    static String searchP99(String namespace, String service) {
        String schema = "{" + namespace + "," + CLUSTER + "," + PERCENTILE + "," + ROUTE + "," + SERVICE + "}";
        return "SEARCH('" + schema + " MetricName=\"" + LATENCY_PERCENTILE + "\" " + PERCENTILE + "=\"" + P99 + "\" "
                + SERVICE + "=\"" + service + "\"', 'Maximum', 60)";
    }
}
