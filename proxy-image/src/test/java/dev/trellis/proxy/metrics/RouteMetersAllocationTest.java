package dev.trellis.proxy.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import org.junit.jupiter.api.Test;

/** The per-request path of the metrics: recording allocates nothing once the handles exist. */
class RouteMetersAllocationTest {

    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    @Test
    void givenResolvedHandles_whenRequestsAreRecorded_thenNoBytesAreAllocatedPerRequest() {
        try (ProxyMetrics metrics = ProxyMetrics.builder().jvmMeters(false).build()) {
            ProxyMetrics.RouteMeters route = metrics.forRoute("orders", "canary", "orders/v1");
            ProxyMetrics.ClusterMeters cluster = metrics.forCluster("orders/v1");
            ProxyMetrics.ConnectionGauge connections = metrics.connections(Direction.OUTBOUND);
            Runnable perRequest = () -> {
                connections.opened();
                route.record(200, 1_500_000);
                route.record(503, 900_000);
                route.retried();
                cluster.rejected(RejectionReason.MAX_REQUESTS);
                metrics.badRequest(BadRequestReason.MALFORMED);
                connections.closed();
            };
            for (int i = 0; i < 20_000; i++) { // warm up: first-status-class counters, JIT
                perRequest.run();
            }

            long thread = Thread.currentThread().getId();
            long before = THREADS.getThreadAllocatedBytes(thread);
            for (int i = 0; i < 100_000; i++) {
                perRequest.run();
            }
            long allocated = THREADS.getThreadAllocatedBytes(thread) - before;

            assertThat((double) allocated / 100_000).as("bytes allocated per request").isLessThan(1.0);
        }
    }
}
