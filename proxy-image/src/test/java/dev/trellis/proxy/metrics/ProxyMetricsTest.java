package dev.trellis.proxy.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ProxyMetricsTest {

    private final ProxyMetrics metrics = ProxyMetrics.builder().commonTag("mesh", "demo").jvmMeters(false).build();

    @AfterEach
    void close() {
        metrics.close();
    }

    @Test
    void givenRouteMeters_whenRequestsFinish_thenRequestsAreCountedByStatusClass() {
        ProxyMetrics.RouteMeters meters = metrics.forRoute("orders", "checkout", "orders/v2");

        meters.record(200, TimeUnit.MILLISECONDS.toNanos(5));
        meters.record(204, TimeUnit.MILLISECONDS.toNanos(5));
        meters.record(503, TimeUnit.MILLISECONDS.toNanos(5));
        meters.record(0, TimeUnit.MILLISECONDS.toNanos(5));

        assertThat(metrics.scrape())
                .contains("trellis_proxy_requests_total{cluster=\"orders/v2\",mesh=\"demo\",route=\"checkout\","
                        + "service=\"orders\",status=\"2xx\"} 2")
                .contains("status=\"5xx\"} 1")
                .contains("status=\"none\"} 1")
                .doesNotContain("status=\"4xx\"");
    }

    @Test
    void givenRouteMeters_whenRequestsFinish_thenLatencyHasHistogramAndPercentiles() {
        ProxyMetrics.RouteMeters meters = metrics.forRoute("orders", "checkout", "orders/v2");

        for (int i = 1; i <= 100; i++) {
            meters.record(200, TimeUnit.MILLISECONDS.toNanos(i));
        }

        String text = metrics.scrape();
        assertThat(text).contains("trellis_proxy_request_duration_seconds_bucket{");
        assertThat(text).contains("trellis_proxy_request_duration_seconds_count{cluster=\"orders/v2\",mesh=\"demo\","
                + "route=\"checkout\",service=\"orders\"} 100");
        // Prometheus computes quantiles from the buckets (histogram_quantile); p50/p90/p99 are
        // computed in the proxy too, for CloudWatch, which has no histograms.
        assertThat(metrics.registry().get("trellis.proxy.request.duration").timer().takeSnapshot().percentileValues())
                .extracting(p -> p.percentile())
                .containsExactly(0.5, 0.9, 0.99);
    }

    @Test
    void givenSameRouteTwice_whenResolved_thenTheSameHandleIsReturned() {
        assertThat(metrics.forRoute("orders", "checkout", "orders/v2"))
                .isSameAs(metrics.forRoute("orders", "checkout", "orders/v2"))
                .isNotSameAs(metrics.forRoute("orders", "checkout", "orders/v1"));
        assertThat(metrics.forCluster("orders/v2")).isSameAs(metrics.forCluster("orders/v2"));
    }

    @Test
    void givenRetriesRejectionsAndEjections_whenCounted_thenEachHasItsMeter() {
        metrics.forRoute("orders", "checkout", "orders/v2").retried();
        metrics.forCluster("orders/v2").rejected(RejectionReason.MAX_PENDING_REQUESTS);
        metrics.forCluster("orders/v2").rejected(RejectionReason.MAX_PENDING_REQUESTS);
        metrics.forCluster("orders/v2").ejected();

        assertThat(metrics.scrape())
                .contains("trellis_proxy_retries_total{cluster=\"orders/v2\",mesh=\"demo\",route=\"checkout\","
                        + "service=\"orders\"} 1")
                .contains("trellis_proxy_circuit_breaker_rejections_total{cluster=\"orders/v2\",mesh=\"demo\","
                        + "reason=\"max_pending_requests\"} 2")
                .contains("trellis_proxy_circuit_breaker_rejections_total{cluster=\"orders/v2\",mesh=\"demo\","
                        + "reason=\"max_requests\"} 0")
                .contains("trellis_proxy_outlier_ejections_total{cluster=\"orders/v2\",mesh=\"demo\"} 1");
    }

    @Test
    void givenConnectionsOpenAndClose_whenScraped_thenGaugesShowWhatIsOpenPerListener() {
        metrics.connections(Direction.INBOUND).opened();
        metrics.connections(Direction.INBOUND).opened();
        metrics.connections(Direction.OUTBOUND).opened();
        metrics.connections(Direction.OUTBOUND).closed();

        assertThat(metrics.connections(Direction.INBOUND).active()).isEqualTo(2);
        assertThat(metrics.scrape())
                .contains("trellis_proxy_connections_active{direction=\"inbound\",mesh=\"demo\"} 2")
                .contains("trellis_proxy_connections_active{direction=\"outbound\",mesh=\"demo\"} 0");
    }

    @Test
    void givenACertificate_whenItsTimeRunsDown_thenTheExpiryGaugeFollowsIt() {
        java.util.concurrent.atomic.AtomicLong secondsLeft = new java.util.concurrent.atomic.AtomicLong(86_400);
        metrics.certificateExpiry(secondsLeft::get);

        assertThat(metrics.scrape()).contains("trellis_proxy_certificate_expiry_seconds{mesh=\"demo\"} 86400.0");
        secondsLeft.set(3_600);
        assertThat(metrics.scrape()).contains("trellis_proxy_certificate_expiry_seconds{mesh=\"demo\"} 3600.0");
    }

    @Test
    void givenBadRequests_whenCounted_thenByReason() {
        metrics.badRequest(BadRequestReason.SMUGGLING);
        metrics.badRequest(BadRequestReason.HEADER_TOO_LARGE);
        metrics.badRequest(BadRequestReason.HEADER_TOO_LARGE);

        assertThat(metrics.scrape())
                .contains("trellis_proxy_bad_requests_total{mesh=\"demo\",reason=\"smuggling\"} 1")
                .contains("trellis_proxy_bad_requests_total{mesh=\"demo\",reason=\"header_too_large\"} 2")
                .contains("trellis_proxy_bad_requests_total{mesh=\"demo\",reason=\"malformed\"} 0");
    }

    @Test
    void givenInboundMeters_whenResolved_thenTheyUseTheLocalAppCluster() {
        metrics.forInbound("orders").record(200, 1_000_000);

        assertThat(metrics.scrape()).contains("trellis_proxy_requests_total{cluster=\"local-app\",mesh=\"demo\","
                + "route=\"inbound\",service=\"orders\",status=\"2xx\"} 1");
    }

    @Test
    void givenPrometheusMetrics_whenScraped_thenJvmMetersAreThere() {
        try (ProxyMetrics withJvm = ProxyMetrics.prometheus()) {
            assertThat(withJvm.scrape()).contains("jvm_memory_used_bytes").contains("process_uptime_seconds");
        }
    }

    @Test
    void givenPrometheusMetrics_whenBuiltAndNotYetScraped_thenNoJvmMeterIsBoundBeforeTheFirstScrape() {
        try (ProxyMetrics withJvm = ProxyMetrics.prometheus()) {
            assertThat(withJvm.registry().find("jvm.memory.used").meters()).as("before the first scrape").isEmpty();

            withJvm.scrape();

            assertThat(withJvm.registry().find("jvm.memory.used").meters()).as("after the first scrape").isNotEmpty();
        }
    }

    @Test
    void givenJvmMetersOff_whenScraped_thenNoJvmMeterIsThere() {
        assertThat(metrics.scrape()).doesNotContain("jvm_memory_used_bytes").doesNotContain("process_uptime_seconds");
    }

    @Test
    void givenNoop_whenUsed_thenNothingIsRecordedAndNothingFails() {
        ProxyMetrics noop = ProxyMetrics.noop();
        ProxyMetrics.RouteMeters meters = noop.forRoute("orders", "checkout", "orders/v2");

        meters.record(200, 1);
        meters.retried();
        noop.forCluster("orders/v2").ejected();
        noop.badRequest(BadRequestReason.RESET);

        assertThat(noop.scrape()).isEmpty();
        assertThat(noop.registry().find("trellis.proxy.requests").counters()).allSatisfy(
                c -> assertThat(c.count()).isZero());
    }

    @Test
    void givenAnEmptyName_whenResolvingRouteMeters_thenTheErrorNamesFieldAndValue() {
        assertThatThrownBy(() -> metrics.forRoute("orders", "", "orders/v2"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("route: \"\" (expected: a non-empty name)");
        assertThatThrownBy(() -> metrics.forCluster(null))
                .hasMessage("cluster: null (expected: a non-empty name)");
    }
}
