package dev.trellis.proxy.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trellis.testing.aws.AwsEmulator;
import dev.trellis.testing.aws.WithAwsEmulator;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.cloudwatch.CloudWatchClient;
import software.amazon.awssdk.services.cloudwatch.model.Datapoint;
import software.amazon.awssdk.services.cloudwatch.model.Dimension;
import software.amazon.awssdk.services.cloudwatch.model.Metric;
import software.amazon.awssdk.services.cloudwatch.model.Statistic;

@WithAwsEmulator
class CloudWatchExportTest {

    private static final String NAMESPACE = "Trellis/Proxy";

    @Test
    void givenCloudWatchExport_whenMetricsAreClosed_thenTheLastStepIsInCloudWatch(AwsEmulator aws) {
        ProxyMetrics metrics = ProxyMetrics.builder()
                .commonTag("mesh", "demo")
                .cloudWatch(NAMESPACE, aws.clients())
                .cloudWatchStep(Duration.ofSeconds(30))
                .build();
        ProxyMetrics.RouteMeters meters = metrics.forRoute("orders", "checkout", "orders/v2");
        meters.record(200, TimeUnit.MILLISECONDS.toNanos(12));
        meters.record(201, TimeUnit.MILLISECONDS.toNanos(8));
        meters.record(503, TimeUnit.MILLISECONDS.toNanos(3));
        metrics.forCluster("orders/v2").ejected();

        metrics.close();

        CloudWatchClient cloudWatch = aws.clients().cloudWatch();
        List<Metric> listed = cloudWatch.listMetrics(r -> r.namespace(NAMESPACE)).metrics();
        assertThat(listed).extracting(Metric::metricName)
                .contains("trellis.proxy.requests.count", "trellis.proxy.request.duration.count",
                        "trellis.proxy.request.duration.percentile.value", "trellis.proxy.outlier.ejections.count")
                // JVM meters stay out of CloudWatch, where every metric costs.
                .noneMatch(name -> name.startsWith("jvm."));
        List<Datapoint> okRequests = cloudWatch.getMetricStatistics(r -> r.namespace(NAMESPACE)
                .metricName("trellis.proxy.requests.count")
                .dimensions(dimension("mesh", "demo"), dimension("service", "orders"),
                        dimension("route", "checkout"), dimension("cluster", "orders/v2"),
                        dimension("status", "2xx"))
                .startTime(Instant.now().minus(Duration.ofMinutes(5)))
                .endTime(Instant.now().plus(Duration.ofMinutes(1)))
                .period(60)
                .statistics(Statistic.SUM)).datapoints();
        assertThat(okRequests).extracting(Datapoint::sum).containsExactly(2.0);
    }

    private static Dimension dimension(String name, String value) {
        return Dimension.builder().name(name).value(value).build();
    }
}
