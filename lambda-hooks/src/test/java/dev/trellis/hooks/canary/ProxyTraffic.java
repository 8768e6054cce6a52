package dev.trellis.hooks.canary;

import dev.trellis.naming.MetricNames;
import dev.trellis.snapshot.Cluster;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import software.amazon.awssdk.services.cloudwatch.CloudWatchClient;
import software.amazon.awssdk.services.cloudwatch.model.Dimension;
import software.amazon.awssdk.services.cloudwatch.model.MetricDatum;
import software.amazon.awssdk.services.cloudwatch.model.StandardUnit;

/**
 * Puts metric data into CloudWatch the way the callers' proxies publish it through Micrometer's
 * CloudWatch registry: one series per calling proxy (its common tag {@code local_service}),
 * request counts by status class, and the p99 gauge in milliseconds.
 */
final class ProxyTraffic {

    private final CloudWatchClient cloudWatch;

    ProxyTraffic(CloudWatchClient cloudWatch) {
        this.cloudWatch = cloudWatch;
    }

    /** One minute of traffic from one calling proxy to {@code service/version} on {@code route}. */
    void minute(String caller, String service, String route, String version, Instant at,
                long ok, long serverErrors, Duration p99) {
        List<MetricDatum> data = new ArrayList<>();
        data.add(count(caller, service, route, version, "2xx", ok, at));
        data.add(count(caller, service, route, version, "5xx", serverErrors, at));
        data.add(MetricDatum.builder()
                .metricName(ProxyMetricNames.LATENCY_PERCENTILE)
                .dimensions(dimensions(caller, service, route, version, MetricNames.TAG_PERCENTILE, MetricNames.P99))
                .unit(StandardUnit.MILLISECONDS)
                .value((double) p99.toMillis())
                .timestamp(at)
                .build());
        cloudWatch.putMetricData(r -> r.namespace(MetricNames.DEFAULT_NAMESPACE).metricData(data));
    }

    private static MetricDatum count(String caller, String service, String route, String version, String status,
                                     long value, Instant at) {
        return MetricDatum.builder()
                .metricName(ProxyMetricNames.REQUESTS)
                .dimensions(dimensions(caller, service, route, version, MetricNames.TAG_STATUS, status))
                .unit(StandardUnit.COUNT)
                .value((double) value)
                .timestamp(at)
                .build();
    }

    private static List<Dimension> dimensions(String caller, String service, String route, String version,
                                              String extraName, String extraValue) {
        return List.of(
                Dimension.builder().name("local_service").value(caller).build(),
                Dimension.builder().name(MetricNames.TAG_SERVICE).value(service).build(),
                Dimension.builder().name(MetricNames.TAG_ROUTE).value(route).build(),
                Dimension.builder().name(MetricNames.TAG_CLUSTER).value(Cluster.name(service, version)).build(),
                Dimension.builder().name(extraName).value(extraValue).build());
    }
}
