package dev.trellis.hooks.canary;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.trellis.hooks.EventJson;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * One decision of the driver and why, with the metrics it was based on.
 *
 * @param at when it was taken
 * @param action what was done
 * @param status where the rollout stands afterwards
 * @param step the step index afterwards
 * @param canaryWeight the canary's weight afterwards
 * @param reason why, in words an operator can act on
 * @param canary the canary's metrics, when they were read
 * @param baseline the baseline's metrics, when they were read
 */
public record CanaryDecision(
        Instant at,
        CanaryAction action,
        CanaryStatus status,
        int step,
        int canaryWeight,
        String reason,
        Optional<StepMetrics> canary,
        Optional<StepMetrics> baseline) {

    public ObjectNode toJson() {
        ObjectNode json = EventJson.mapper().createObjectNode()
                .put("at", at.toString())
                .put("action", action.name())
                .put("status", status.name())
                .put("step", step)
                .put("canaryWeight", canaryWeight)
                .put("reason", reason);
        canary.ifPresent(m -> json.set("canary", m.toJson()));
        baseline.ifPresent(m -> json.set("baseline", m.toJson()));
        return json;
    }

    /** Reads what {@link #toJson()} wrote (p99 to the millisecond). */
    static CanaryDecision fromJson(JsonNode json) {
        return new CanaryDecision(
                Instant.parse(json.path("at").asText()),
                CanaryAction.valueOf(json.path("action").asText()),
                CanaryStatus.valueOf(json.path("status").asText()),
                json.path("step").asInt(),
                json.path("canaryWeight").asInt(),
                json.path("reason").asText(),
                metrics(json.get("canary")),
                metrics(json.get("baseline")));
    }

    private static Optional<StepMetrics> metrics(JsonNode json) {
        if (json == null || !json.isObject()) {
            return Optional.empty();
        }
        JsonNode p99 = json.get("p99LatencyMillis");
        return Optional.of(StepMetrics.of(json.path("requests").asLong(), json.path("serverErrors").asLong(),
                p99 == null ? null : Duration.ofMillis(p99.asLong())));
    }
}
