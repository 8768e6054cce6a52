package dev.trellis.hooks.canary;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.trellis.hooks.EventJson;
import java.time.Duration;
import java.util.Optional;

/**
 * What one version of a route showed in one window: responses, 5xx responses among them, and
 * the p99 latency when the proxies reported one.
 *
 * @param requests responses of every status class
 * @param serverErrors responses with a 5xx status
 * @param p99Latency the worst p99 any proxy reported for a minute of the window; empty without data
 */
public record StepMetrics(long requests, long serverErrors, Optional<Duration> p99Latency) {

    public static final StepMetrics NONE = new StepMetrics(0, 0, Optional.empty());

    public StepMetrics {
        if (requests < 0 || serverErrors < 0 || serverErrors > requests) {
            throw new IllegalArgumentException("serverErrors: " + serverErrors + " of " + requests
                    + " requests (expected: 0..requests)");
        }
    }

    public static StepMetrics of(long requests, long serverErrors, Duration p99Latency) {
        return new StepMetrics(requests, serverErrors, Optional.ofNullable(p99Latency));
    }

    /** The share of non-5xx responses, 1 when there were none. */
    public double successRate() {
        return requests == 0 ? 1.0 : (double) (requests - serverErrors) / requests;
    }

    public ObjectNode toJson() {
        ObjectNode json = EventJson.mapper().createObjectNode()
                .put("requests", requests)
                .put("serverErrors", serverErrors)
                .put("successRate", Math.round(successRate() * 10_000) / 10_000.0);
        p99Latency.ifPresent(p99 -> json.put("p99LatencyMillis", p99.toMillis()));
        return json;
    }
}
