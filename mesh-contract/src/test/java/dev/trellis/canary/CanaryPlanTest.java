package dev.trellis.canary;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CanaryPlanTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ORDERS_CHECKOUT = """
            {"mesh": "shop", "service": "orders", "route": "checkout", "baseline": "v1", "canary": "v2",
             "steps": [5, 25, 50, 100], "interval": "5m", "minSuccessRate": 0.99, "maxP99Latency": "500ms",
             "minRequests": 100, "maxFailedChecks": 1}
            """;

    @Test
    void givenTheFixturePlan_whenRead_thenEveryFieldIsTaken() {
        CanaryPlan plan = CanaryPlan.fromJson(read(ORDERS_CHECKOUT));

        assertThat(plan).isEqualTo(CanaryPlan.builder().mesh("shop").service("orders").route("checkout")
                .baseline("v1").canary("v2").steps(5, 25, 50, 100).interval(Duration.ofMinutes(5))
                .minSuccessRate(0.99).maxP99Latency(Duration.ofMillis(500)).minRequests(100).maxFailedChecks(1).build());
    }

    @Test
    void givenOnlyNames_whenRead_thenFlaggerLikeDefaultsApply() {
        CanaryPlan plan = CanaryPlan.fromJson(read(
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
        ObjectNode plan = (ObjectNode) read(ORDERS_CHECKOUT);
        plan.set(field, read(json));

        assertThatThrownBy(() -> CanaryPlan.fromJson(plan))
                .isInstanceOf(InvalidCanaryPlanException.class)
                .hasMessage(message);
    }

    @Test
    void givenABuilderWithoutNames_whenBuilt_thenTheFirstMissingNameIsNamed() {
        assertThatThrownBy(() -> CanaryPlan.builder().mesh("shop").build())
                .isInstanceOf(InvalidCanaryPlanException.class)
                .hasMessage("service: missing (expected: a non-empty string)")
                .extracting(e -> ((InvalidCanaryPlanException) e).field()).isEqualTo("service");
    }

    private static JsonNode read(String json) {
        try {
            return JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new AssertionError(e);
        }
    }
}
