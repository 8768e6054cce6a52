package dev.trellis.hooks.canary;

import dev.trellis.naming.MetricNames;

/**
 * The CloudWatch names of the proxy's request meters as the canary driver reads them: the
 * meters of mesh-contract's {@link MetricNames} (which the proxy publishes under) with the
 * statistic suffix Micrometer's CloudWatch export appends ({@code .count} for counters,
 * {@code .value} for gauges, durations in milliseconds). Tags are {@link MetricNames}'s.
 * {@code ProxyPublishedMetricsTest} publishes through the proxy's own export and reads them back,
 * so a rename on either side fails a test.
 */
public final class ProxyMetricNames {

    /** Responses per step and status class (unit Count). */
    public static final String REQUESTS = MetricNames.cloudWatchCount(MetricNames.REQUESTS);
    /** Client-side latency percentiles in milliseconds, one series per {@link MetricNames#TAG_PERCENTILE} value. */
    public static final String LATENCY_PERCENTILE = MetricNames.cloudWatchPercentile(MetricNames.REQUEST_DURATION);

    private ProxyMetricNames() {
    }
}
