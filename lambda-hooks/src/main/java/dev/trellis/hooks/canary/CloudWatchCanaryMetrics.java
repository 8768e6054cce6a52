package dev.trellis.hooks.canary;

import dev.trellis.naming.MetricNames;
import dev.trellis.snapshot.Cluster;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Collectors;
import software.amazon.awssdk.services.cloudwatch.CloudWatchClient;
import software.amazon.awssdk.services.cloudwatch.model.Dimension;
import software.amazon.awssdk.services.cloudwatch.model.DimensionFilter;
import software.amazon.awssdk.services.cloudwatch.model.GetMetricDataResponse;
import software.amazon.awssdk.services.cloudwatch.model.Metric;
import software.amazon.awssdk.services.cloudwatch.model.MetricDataQuery;
import software.amazon.awssdk.services.cloudwatch.model.MetricDataResult;

/**
 * Reads canary metrics from CloudWatch as the proxies publish them (see {@link ProxyMetricNames}).
 *
 * <p>Every calling proxy publishes its own series, with its own extra dimensions (common tags
 * such as the caller's service or task), so the series of a (service, route, cluster) are first
 * found with {@code ListMetrics} on those three dimensions (deduplicated), then read in one
 * {@code GetMetricData} call per 500 series: request counts are summed over series and minutes;
 * p99 is the worst per-minute value of any series (percentiles cannot be summed, and the worst
 * is the safe side for a rollout).
 */
public final class CloudWatchCanaryMetrics implements CanaryMetrics {

    /** CloudWatch answers at most this many queries per GetMetricData call. */
    private static final int MAX_QUERIES_PER_CALL = 500;
    private static final int PERIOD_SECONDS = 60;

    private final CloudWatchClient cloudWatch;
    private final String namespace;

    private CloudWatchCanaryMetrics(CloudWatchClient cloudWatch, String namespace) {
        this.cloudWatch = Objects.requireNonNull(cloudWatch, "cloudWatch");
        this.namespace = Objects.requireNonNull(namespace, "namespace");
    }

    /** Metrics in the proxies' namespace, {@value ProxyMetricNames#NAMESPACE}. */
    public static CloudWatchCanaryMetrics of(CloudWatchClient cloudWatch) {
        return new CloudWatchCanaryMetrics(cloudWatch, MetricNames.DEFAULT_NAMESPACE);
    }

    /** Metrics in another namespace, for proxies configured with one. */
    public static CloudWatchCanaryMetrics of(CloudWatchClient cloudWatch, String namespace) {
        return new CloudWatchCanaryMetrics(cloudWatch, namespace);
    }

    @Override
    public StepMetrics read(String service, String route, String version, Instant from, Instant to) {
        List<DimensionFilter> routeFilter = List.of(
                filter(MetricNames.TAG_SERVICE, service),
                filter(MetricNames.TAG_ROUTE, route),
                filter(MetricNames.TAG_CLUSTER, Cluster.name(service, version)));
        List<Metric> requestSeries = list(ProxyMetricNames.REQUESTS, routeFilter);
        List<DimensionFilter> p99Filter = new ArrayList<>(routeFilter);
        p99Filter.add(filter(MetricNames.TAG_PERCENTILE, MetricNames.P99));
        List<Metric> latencySeries = list(ProxyMetricNames.LATENCY_PERCENTILE, p99Filter);

        List<MetricDataQuery> queries = new ArrayList<>();
        Map<String, Metric> byId = new HashMap<>();
        for (Metric metric : requestSeries) {
            queries.add(query("r" + queries.size(), metric, "Sum", byId));
        }
        for (Metric metric : latencySeries) {
            queries.add(query("p" + queries.size(), metric, "Maximum", byId));
        }
        long requests = 0;
        long serverErrors = 0;
        Optional<Double> worstP99Millis = Optional.empty();
        for (MetricDataResult result : fetch(queries, from, to)) {
            Metric metric = byId.get(result.id());
            if (result.id().startsWith("r")) {
                long count = Math.round(result.values().stream().mapToDouble(Double::doubleValue).sum());
                requests += count;
                if (MetricNames.SERVER_ERROR_CLASS.equals(dimension(metric, MetricNames.TAG_STATUS))) {
                    serverErrors += count;
                }
            } else {
                for (Double value : result.values()) {
                    if (worstP99Millis.isEmpty() || value > worstP99Millis.get()) {
                        worstP99Millis = Optional.of(value);
                    }
                }
            }
        }
        return new StepMetrics(requests, serverErrors,
                worstP99Millis.map(ms -> Duration.ofNanos(Math.round(ms * 1_000_000))));
    }

    /** The distinct series; an emulator (moto) may list one series once per data point. */
    private List<Metric> list(String metricName, List<DimensionFilter> dimensions) {
        Map<String, Metric> series = new LinkedHashMap<>();
        cloudWatch.listMetricsPaginator(r -> r.namespace(namespace).metricName(metricName).dimensions(dimensions))
                .metrics().forEach(m -> series.putIfAbsent(seriesKey(m), m));
        return new ArrayList<>(series.values());
    }

    private static String seriesKey(Metric metric) {
        return metric.metricName() + metric.dimensions().stream()
                .map(d -> d.name() + "=" + d.value()).sorted().collect(Collectors.joining(",", "{", "}"));
    }

    private List<MetricDataResult> fetch(List<MetricDataQuery> queries, Instant from, Instant to) {
        List<MetricDataResult> results = new ArrayList<>();
        for (int start = 0; start < queries.size(); start += MAX_QUERIES_PER_CALL) {
            List<MetricDataQuery> batch = queries.subList(start, Math.min(queries.size(), start + MAX_QUERIES_PER_CALL));
            String nextToken = null;
            do {
                String token = nextToken;
                GetMetricDataResponse response = cloudWatch.getMetricData(r -> r
                        .metricDataQueries(batch).startTime(from).endTime(to).nextToken(token));
                results.addAll(response.metricDataResults());
                nextToken = response.nextToken();
            } while (nextToken != null);
        }
        return results;
    }

    private static MetricDataQuery query(String id, Metric metric, String stat, Map<String, Metric> byId) {
        byId.put(id, metric);
        return MetricDataQuery.builder()
                .id(id)
                .metricStat(s -> s.metric(metric).period(PERIOD_SECONDS).stat(stat))
                .returnData(true)
                .build();
    }

    private static DimensionFilter filter(String name, String value) {
        return DimensionFilter.builder().name(name).value(value).build();
    }

    private static String dimension(Metric metric, String name) {
        for (Dimension dimension : metric.dimensions()) {
            if (dimension.name().equals(name)) {
                return dimension.value();
            }
        }
        return null;
    }
}
