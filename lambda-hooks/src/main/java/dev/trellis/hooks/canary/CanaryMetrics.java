package dev.trellis.hooks.canary;

import java.time.Instant;

/** Where a canary's and its baseline's request metrics come from. */
public interface CanaryMetrics {

    /**
     * What requests on {@code route} of {@code service} that went to {@code version} showed
     * from {@code from} (inclusive) to {@code to} (exclusive), summed over every proxy that sent them.
     */
    StepMetrics read(String service, String route, String version, Instant from, Instant to);
}
