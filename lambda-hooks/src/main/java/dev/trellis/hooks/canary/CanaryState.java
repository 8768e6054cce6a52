package dev.trellis.hooks.canary;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.trellis.canary.CanaryPlan;
import dev.trellis.hooks.EventJson;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * What the driver remembers between invocations about one route's rollout.
 *
 * @param plan the plan the rollout started with; it stays in force until the rollout is over
 * @param status where the rollout stands
 * @param step the index of the current step in {@code plan.steps()}
 * @param canaryWeight the canary weight the driver means the spec to have now
 * @param previousCanaryWeight the canary weight before the last write, to recognize a write that did not land
 * @param stepStartedAt when the current step's weights were written
 * @param failedChecks failed checks so far
 * @param history the latest decisions that changed or judged something, oldest first
 */
public record CanaryState(
        CanaryPlan plan,
        CanaryStatus status,
        int step,
        int canaryWeight,
        int previousCanaryWeight,
        Instant stepStartedAt,
        int failedChecks,
        List<CanaryDecision> history) {

    public CanaryState {
        history = List.copyOf(history);
    }

    /** The decision that brought the rollout here. */
    public CanaryDecision lastDecision() {
        return history.get(history.size() - 1);
    }

    /** A copy with {@code decision} appended, keeping at most {@code limit} decisions. */
    CanaryState withDecision(CanaryDecision decision, int limit) {
        List<CanaryDecision> kept = new ArrayList<>(history);
        kept.add(decision);
        while (kept.size() > limit) {
            kept.remove(0);
        }
        return new CanaryState(plan, status, step, canaryWeight, previousCanaryWeight, stepStartedAt, failedChecks, kept);
    }

    public ObjectNode toJson() {
        ObjectNode json = EventJson.mapper().createObjectNode();
        json.set("plan", plan.toJson());
        json.put("status", status.name())
                .put("step", step)
                .put("canaryWeight", canaryWeight)
                .put("previousCanaryWeight", previousCanaryWeight)
                .put("stepStartedAt", stepStartedAt.toString())
                .put("failedChecks", failedChecks);
        ArrayNode decisions = json.putArray("history");
        history.forEach(d -> decisions.add(d.toJson()));
        return json;
    }

    /** Reads what {@link #toJson()} wrote. */
    public static CanaryState fromJson(JsonNode json) {
        List<CanaryDecision> history = new ArrayList<>();
        json.path("history").forEach(d -> history.add(CanaryDecision.fromJson(d)));
        return new CanaryState(
                CanaryPlan.fromJson(json.path("plan")),
                CanaryStatus.valueOf(json.path("status").asText()),
                json.path("step").asInt(),
                json.path("canaryWeight").asInt(),
                json.path("previousCanaryWeight").asInt(),
                Instant.parse(json.path("stepStartedAt").asText()),
                json.path("failedChecks").asInt(),
                history);
    }
}
