package dev.trellis.cdk.observability;

import dev.trellis.naming.MetricNames;
import java.util.List;
import java.util.Map;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.services.cloudwatch.IMetric;
import software.amazon.awscdk.services.cloudwatch.MathExpression;
import software.amazon.awscdk.services.cloudwatch.Metric;

/**
 * The CloudWatch metrics every proxy publishes, as {@code dev.trellis.proxy.metrics.ProxyMetrics}
 * (proxy-image) names them through Micrometer's CloudWatch export: the meter name with a
 * statistic suffix ({@code .count} for counters and timer counts, {@code .value} for gauges such
 * as a timer's published percentiles, in milliseconds). Every metric also carries the proxy's
 * common tags {@value #MESH} and {@value #LOCAL_SERVICE} (the service the proxy sits beside).
 *
 * <p>A service's golden signals are read from its own proxies' inbound side (route
 * {@value #INBOUND_ROUTE}, cluster {@value #LOCAL_APP_CLUSTER}): one series per service whatever
 * its callers, routes and versions, so that alarms can name it exactly. Retries and ejections
 * happen on the callers' side and are found with SEARCH on the dashboard.
 */
public final class ProxyMetrics {

    /** The metric namespace unless the mesh names another. */
    public static final String DEFAULT_NAMESPACE = MetricNames.DEFAULT_NAMESPACE;

    /** Responses by status class (counter {@code trellis.proxy.requests}), dimension {@value #STATUS}. */
    public static final String RESPONSES = MetricNames.cloudWatchCount(MetricNames.REQUESTS);
    /** Every request, whatever its outcome (the count of timer {@code trellis.proxy.request.duration}). */
    public static final String REQUESTS = MetricNames.cloudWatchCount(MetricNames.REQUEST_DURATION);
    /** The same timer's percentiles, dimension {@value #PERCENTILE}. */
    public static final String LATENCY_PERCENTILE = MetricNames.cloudWatchPercentile(MetricNames.REQUEST_DURATION);
    /** Tries sent again (counter {@code trellis.proxy.retries}). */
    public static final String RETRIES = MetricNames.cloudWatchCount(MetricNames.RETRIES);
    /** Hosts ejected by outlier detection (counter {@code trellis.proxy.outlier.ejections}), dimension cluster only. */
    public static final String EJECTIONS = MetricNames.cloudWatchCount(MetricNames.EJECTIONS);

    public static final String MESH = MetricNames.TAG_MESH;
    public static final String LOCAL_SERVICE = MetricNames.TAG_LOCAL_SERVICE;
    public static final String SERVICE = MetricNames.TAG_SERVICE;
    public static final String ROUTE = MetricNames.TAG_ROUTE;
    public static final String CLUSTER = MetricNames.TAG_CLUSTER;
    public static final String STATUS = MetricNames.TAG_STATUS;
    public static final String PERCENTILE = MetricNames.TAG_PERCENTILE;

    public static final String INBOUND_ROUTE = MetricNames.INBOUND_ROUTE;
    public static final String LOCAL_APP_CLUSTER = MetricNames.LOCAL_APP_CLUSTER;
    public static final String SERVER_ERROR = MetricNames.SERVER_ERROR_CLASS;
    public static final String P99 = MetricNames.P99;

    private static final Duration PERIOD = Duration.minutes(1);

    private final String namespace;
    private final String mesh;
    private final String service;
    private final List<String> versions;

    private ProxyMetrics(String namespace, String mesh, String service, List<String> versions) {
        this.namespace = namespace;
        this.mesh = mesh;
        this.service = service;
        this.versions = List.copyOf(versions);
    }

    /** The metrics of one service of a mesh and its versions, in a metric namespace. */
    public static ProxyMetrics of(String namespace, String mesh, String service, List<String> versions) {
        return new ProxyMetrics(namespace, mesh, service, versions);
    }

    /** Requests the service's proxies received, per minute. */
    public Metric requests() {
        return inbound(REQUESTS, "Sum", Map.of());
    }

    /** Of those, the ones answered with a 5xx. */
    public Metric serverErrors() {
        return inbound(RESPONSES, "Sum", Map.of(STATUS, SERVER_ERROR));
    }

    /** The worst p99 latency among the service's proxies, in milliseconds. */
    public Metric p99() {
        return inbound(LATENCY_PERCENTILE, "Maximum", Map.of(PERCENTILE, P99));
    }

    /**
     * The least time left on any of the service's proxies' mesh certificates, in seconds. It falls
     * when the CA cannot be reached (proxies keep serving on the certificate they hold).
     */
    public Metric certificateExpiry() {
        return Metric.Builder.create()
                .namespace(namespace)
                .metricName(MetricNames.cloudWatchValue(MetricNames.CERTIFICATE_EXPIRY))
                .dimensionsMap(Map.of(MESH, mesh, LOCAL_SERVICE, service))
                .statistic("Minimum")
                .period(Duration.minutes(5))
                .build();
    }

    /** Share of requests not answered with a 5xx, in percent. */
    public MathExpression successRate() {
        return MathExpression.Builder.create()
                .expression("100 * (1 - FILL(errors, 0) / requests)")
                .usingMetrics(Map.of("requests", requests(), "errors", serverErrors()))
                .label(service + " success rate (%)")
                .period(PERIOD)
                .build();
    }

    /** Retries the service's callers sent to it, summed over callers, routes and versions. */
    public IMetric retries() {
        return search("SUM", RETRIES, SERVICE + "=\"" + service + "\"", "Sum", service + " retries");
    }

    /** Ejections of the service's hosts, summed over callers and versions. */
    public IMetric ejections() {
        // Ejections carry only a cluster; the service's clusters are named <service>/<version>.
        String clusters = versions.stream().map(v -> CLUSTER + "=\"" + service + "/" + v + "\"")
                .collect(java.util.stream.Collectors.joining(" OR ", "(", ")"));
        return search("SUM", EJECTIONS, clusters, "Sum", service + " ejections");
    }

    private Metric inbound(String metricName, String statistic, Map<String, String> extra) {
        Map<String, String> dimensions = new java.util.LinkedHashMap<>();
        dimensions.put(MESH, mesh);
        dimensions.put(LOCAL_SERVICE, service);
        dimensions.put(SERVICE, service);
        dimensions.put(ROUTE, INBOUND_ROUTE);
        dimensions.put(CLUSTER, LOCAL_APP_CLUSTER);
        dimensions.putAll(extra);
        return Metric.Builder.create()
                .namespace(namespace)
                .metricName(metricName)
                .dimensionsMap(dimensions)
                .statistic(statistic)
                .period(PERIOD)
                .build();
    }

    private MathExpression search(String function, String metricName, String condition, String statistic, String label) {
        String query = "Namespace=\"" + namespace + "\" MetricName=\"" + metricName + "\" " + MESH + "=\"" + mesh + "\" " + condition;
        return MathExpression.Builder.create()
                .expression(function + "(SEARCH('" + query + "', '" + statistic + "', 60))")
                .usingMetrics(Map.of())
                .label(label)
                .period(PERIOD)
                .build();
    }
}
