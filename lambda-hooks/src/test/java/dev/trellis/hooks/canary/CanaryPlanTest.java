package dev.trellis.hooks.canary;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.trellis.hooks.EventJson;
import dev.trellis.hooks.Fixtures;
import dev.trellis.hooks.MalformedEventException;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CanaryPlanTest {

    @Test
    void givenTheFixturePlan_whenRead_thenEveryFieldIsTaken() {
        CanaryPlan plan = CanaryPlan.fromJson(EventJson.readObject(Fixtures.text("canary/plan-orders-checkout.json")));

        assertThat(plan).isEqualTo(CanaryPlan.builder().mesh("shop").service("orders").route("checkout")
                .baseline("v1").canary("v2").steps(5, 25, 50, 100).interval(Duration.ofMinutes(5))
                .minSuccessRate(0.99).maxP99Latency(Duration.ofMillis(500)).minRequests(100).maxFailedChecks(1).build());
    }

    @Test
    void givenOnlyNames_whenRead_thenFlaggerLikeDefaultsApply() {
        CanaryPlan plan = CanaryPlan.fromJson(EventJson.readObject(
                "{\"mesh\":\"shop\",\"service\":\"orders\",\"route\":\"checkout\",\"baseline\":\"v1\",\"canary\":\"v2\"}"));

        assertThat(plan.steps()).isEqualTo(List.of(5, 25, 50, 100));
        assertThat(plan.interval()).isEqualTo(Duration.ofMinutes(5));
        assertThat(plan.minSuccessRate()).isEqualTo(0.99);
        assertThat(plan.maxP99Latency()).isEqualTo(Duration.ofMillis(500));
        assertThat(plan.minRequests()).isEqualTo(100);
        assertThat(plan.maxFailedChecks()).isEqualTo(1);
    }

    @Test
    void givenAPlan_whenWrittenAndReadBack_thenItIsTheSame() {
        CanaryPlan plan = CanaryPlan.builder().mesh("shop").service("orders").route("checkout").baseline("v1")
                .canary("v2").steps(10, 100).interval(Duration.ofSeconds(90)).maxP99Latency(Duration.ofMillis(250)).build();

        assertThat(CanaryPlan.fromJson(plan.toJson())).isEqualTo(plan);
    }

    @ParameterizedTest(name = "{0} = {1} -> {2}")
    @CsvSource(delimiter = '|', value = {
        "steps|[]|steps: [] (expected: at least one weight, the last one 100)",
        "steps|[5, 50]|steps[1]: 50 (expected: 100: the last step sends every request to the canary)",
        "steps|[0, 100]|steps[0]: 0 (expected: an integer 1..100, above the step before)",
        "steps|[50, 150]|steps[1]: 150 (expected: an integer 51..100, above the step before)",
        "steps|[5, \"x\", 100]|steps[1]: \"x\" (expected: an integer 1..100)",
        "steps|\"5,100\"|steps: \"5,100\" (expected: an array of weights such as [5, 25, 50, 100])",
        "interval|\"30s\"|interval: 30s (expected: at least 1m, CloudWatch's resolution)",
        "interval|\"5 minutes\"|interval: \"5 minutes\" (expected: a number and a unit, such as 250ms, 15s, 5m or 1h)",
        "interval|300|interval: 300 (expected: a non-empty string)",
        "minSuccessRate|99|minSuccessRate: 99.0 (expected: a number 0..1, such as 0.99)",
        "minSuccessRate|\"0.99\"|minSuccessRate: \"0.99\" (expected: a number 0..1, such as 0.99)",
        "maxP99Latency|\"0s\"|maxP99Latency: 0s (expected: a positive duration such as 500ms)",
        "minRequests|0|minRequests: 0 (expected: an integer, at least 1)",
        "minRequests|1.5|minRequests: 1.5 (expected: an integer, at least 1)",
        "maxFailedChecks|0|maxFailedChecks: 0 (expected: an integer, at least 1)",
        "canary|\"v1\"|canary: v1 (expected: a version other than the baseline v1)",
        "mesh|\"\"|mesh: \"\" (expected: a non-empty string)",
        "service|null|service: missing (expected: a non-empty string)",
        "route|42|route: 42 (expected: a non-empty string)",
    })
    void givenAFieldOutOfRange_whenRead_thenTheErrorNamesItWhatItIsAndWhatWasExpected(String field, String json, String message) {
        ObjectNode plan = EventJson.readObject(Fixtures.text("canary/plan-orders-checkout.json"));
        plan.set(field, EventJson.readObject("{\"v\":" + json + "}").get("v"));

        assertThatThrownBy(() -> CanaryPlan.fromJson(plan))
                .isInstanceOf(MalformedEventException.class)
                .hasMessage(message);
    }
}
