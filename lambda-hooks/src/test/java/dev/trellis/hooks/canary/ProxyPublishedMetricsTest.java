package dev.trellis.hooks.canary;

import dev.trellis.naming.MetricNames;
import dev.trellis.proxy.metrics.ProxyMetrics;
import dev.trellis.testing.aws.AwsEmulator;
import dev.trellis.testing.aws.WithAwsEmulator;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import static org.assertj.core.api.Assertions.assertThat;


/**
 * The contract between the proxy and the canary driver: what the proxy's own meters publish
 * through Micrometer's CloudWatch registry (proxy-image's {@link ProxyMetrics}) is what
 * {@link CloudWatchCanaryMetrics} reads, names, dimensions and units included.
 */
@WithAwsEmulator
class ProxyPublishedMetricsTest {

    @Test
    void givenTwoCallingProxiesPublishingThroughTheirCloudWatchExport_whenTheCanaryReads_thenItSeesTheirRequestsErrorsAndP99(
            AwsEmulator aws) {
        aws.reset();
        Instant before = Instant.now();
        publish(aws, "frontend", 190, 10, Duration.ofMillis(40));
        publish(aws, "admin", 100, 0, Duration.ofMillis(40));
        try (ProxyMetrics baselineCaller = proxy(aws, "frontend")) {
            ProxyMetrics.RouteMeters baseline = baselineCaller.forRoute("orders", "checkout", "orders/v1");
            for (int i = 0; i < 50; i++) {
                baseline.record(200, Duration.ofMillis(5).toNanos());
            }
        }

        StepMetrics canary = CloudWatchCanaryMetrics.of(aws.clients().cloudWatch())
                .read("orders", "checkout", "v2", before.minus(Duration.ofMinutes(2)), Instant.now().plus(Duration.ofMinutes(2)));

        assertThat(canary.requests()).isEqualTo(300);
        assertThat(canary.serverErrors()).isEqualTo(10);
        assertThat(canary.p99Latency()).hasValueSatisfying(p99 ->
                assertThat(p99).isBetween(Duration.ofMillis(30), Duration.ofMillis(60)));
    }

    /** One calling proxy's traffic to orders/v2, published when its meters close. */
    private static void publish(AwsEmulator aws, String caller, int ok, int serverErrors, Duration latency) {
        try (ProxyMetrics metrics = proxy(aws, caller)) {
            ProxyMetrics.RouteMeters route = metrics.forRoute("orders", "checkout", "orders/v2");
            for (int i = 0; i < ok; i++) {
                route.record(200, latency.toNanos());
            }
            for (int i = 0; i < serverErrors; i++) {
                route.record(503, latency.toNanos());
            }
        }
    }

    private static ProxyMetrics proxy(AwsEmulator aws, String caller) {
        return ProxyMetrics.builder()
                .commonTag("local_service", caller)
                .cloudWatch(MetricNames.DEFAULT_NAMESPACE, aws.clients())
                .jvmMeters(false)
                .build();
    }
}
