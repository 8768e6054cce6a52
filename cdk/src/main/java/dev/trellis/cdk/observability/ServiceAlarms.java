package dev.trellis.cdk.observability;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import dev.trellis.cdk.internal.Lazies;
import software.amazon.awscdk.services.cloudwatch.CfnAlarm;
import software.constructs.Construct;

/**
 * A service's two alarms: success rate under a threshold and p99 latency over one. Alarms cannot
 * use SEARCH, so they name every (route, cluster) series of the service; the series are read at
 * synth, after every route is added. CloudWatch allows 10 metrics per alarm.
 */
public final class ServiceAlarms {

    /** The metrics an alarm may name (a CloudWatch limit). */
    public static final int MAX_METRICS = 10;

    /** One time series of a service: a route and the cluster it sends to. */
    public record Series(String route, String cluster) {
    }

    private final CfnAlarm successRate;
    private final CfnAlarm latency;

    public ServiceAlarms(Construct scope, String namespace, String service, Supplier<List<Series>> series,
                         double successRatePercent, double p99Milliseconds) {
        successRate = CfnAlarm.Builder.create(scope, "SuccessRateAlarm")
                .alarmDescription("Success rate of " + service + " under " + successRatePercent + " %")
                .comparisonOperator("LessThanThreshold")
                .threshold(successRatePercent)
                .evaluationPeriods(3)
                .datapointsToAlarm(2)
                .treatMissingData("notBreaching")
                .metrics(Lazies.any(() -> successRateQueries(namespace, service, series.get())))
                .build();
        latency = CfnAlarm.Builder.create(scope, "LatencyAlarm")
                .alarmDescription("p99 latency of " + service + " over " + p99Milliseconds + " ms")
                .comparisonOperator("GreaterThanThreshold")
                .threshold(p99Milliseconds)
                .evaluationPeriods(3)
                .datapointsToAlarm(2)
                .treatMissingData("notBreaching")
                .metrics(Lazies.any(() -> latencyQueries(namespace, service, series.get())))
                .build();
    }

    /** The series an alarm of a service with these series can hold, or a problem message. */
    public static List<String> problems(String service, List<Series> series) {
        if (2 * series.size() > MAX_METRICS) {
            return List.of("services[" + service + "] alarms: " + series.size() + " route/cluster series (expected: at most "
                    + MAX_METRICS / 2 + ", since a CloudWatch alarm holds " + MAX_METRICS
                    + " metrics; set alarms(false) and alarm on fewer series yourself)");
        }
        return List.of();
    }

    public CfnAlarm successRateAlarm() {
        return successRate;
    }

    public CfnAlarm latencyAlarm() {
        return latency;
    }

    private static List<CfnAlarm.MetricDataQueryProperty> successRateQueries(String namespace, String service, List<Series> series) {
        List<CfnAlarm.MetricDataQueryProperty> queries = new ArrayList<>();
        for (int i = 0; i < series.size(); i++) {
            queries.add(stat("r" + i, namespace, ProxyMetrics.REQUESTS, service, series.get(i), "Sum", false));
            queries.add(stat("e" + i, namespace, ProxyMetrics.ERRORS, service, series.get(i), "Sum", false));
        }
        String requests = IntStream.range(0, series.size()).mapToObj(i -> "r" + i).collect(Collectors.joining(" + "));
        String errors = IntStream.range(0, series.size()).mapToObj(i -> "FILL(e" + i + ", 0)").collect(Collectors.joining(" + "));
        queries.add(CfnAlarm.MetricDataQueryProperty.builder()
                .id("successrate")
                .label(service + " success rate (%)")
                .expression("100 * (1 - (" + errors + ") / (" + requests + "))")
                .returnData(true)
                .build());
        return queries;
    }

    private static List<CfnAlarm.MetricDataQueryProperty> latencyQueries(String namespace, String service, List<Series> series) {
        List<CfnAlarm.MetricDataQueryProperty> queries = new ArrayList<>();
        for (int i = 0; i < series.size(); i++) {
            queries.add(stat("p" + i, namespace, ProxyMetrics.LATENCY_PERCENTILE, service, series.get(i), "Maximum", true));
        }
        String all = IntStream.range(0, series.size()).mapToObj(i -> "p" + i).collect(Collectors.joining(", "));
        queries.add(CfnAlarm.MetricDataQueryProperty.builder()
                .id("p99")
                .label(service + " p99 (ms)")
                .expression("MAX([" + all + "])")
                .returnData(true)
                .build());
        return queries;
    }

    private static CfnAlarm.MetricDataQueryProperty stat(String id, String namespace, String metricName, String service,
                                                         Series series, String statistic, boolean p99) {
        List<CfnAlarm.DimensionProperty> dimensions = new ArrayList<>(List.of(
                dimension(ProxyMetrics.SERVICE, service),
                dimension(ProxyMetrics.ROUTE, series.route()),
                dimension(ProxyMetrics.CLUSTER, series.cluster())));
        if (p99) {
            dimensions.add(dimension(ProxyMetrics.PERCENTILE, ProxyMetrics.P99));
        }
        return CfnAlarm.MetricDataQueryProperty.builder()
                .id(id)
                .returnData(false)
                .metricStat(CfnAlarm.MetricStatProperty.builder()
                        .metric(CfnAlarm.MetricProperty.builder()
                                .namespace(namespace)
                                .metricName(metricName)
                                .dimensions(dimensions)
                                .build())
                        .period(60)
                        .stat(statistic)
                        .build())
                .build();
    }

    private static CfnAlarm.DimensionProperty dimension(String name, String value) {
        return CfnAlarm.DimensionProperty.builder().name(name).value(value).build();
    }
}
