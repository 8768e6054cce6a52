package dev.trellis.hooks.canary;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.trellis.spec.WeightedTarget;
import java.util.List;
import org.junit.jupiter.api.Test;

class TargetWeightsTest {

    private static final String ROUTE = "services[orders].routes[checkout]";

    @Test
    void givenOnlyTheBaseline_whenShifted_thenTheCanaryIsAppendedWithItsWeight() {
        assertThat(TargetWeights.shifted(List.of(WeightedTarget.of("v1", 100)), ROUTE, "v1", "v2", 5))
                .containsExactly(WeightedTarget.of("v1", 95), WeightedTarget.of("v2", 5));
    }

    @Test
    void givenBothInAnyOrder_whenShifted_thenTheirOrderIsKept() {
        assertThat(TargetWeights.shifted(List.of(WeightedTarget.of("v2", 5), WeightedTarget.of("v1", 95)), ROUTE, "v1", "v2", 50))
                .containsExactly(WeightedTarget.of("v2", 50), WeightedTarget.of("v1", 50));
    }

    @Test
    void givenAThirdVersionAtWeightZero_whenShifted_thenItIsKeptAtZero() {
        assertThat(TargetWeights.shifted(List.of(WeightedTarget.of("v1", 100), WeightedTarget.of("v0", 0)), ROUTE, "v1", "v2", 25))
                .containsExactly(WeightedTarget.of("v1", 75), WeightedTarget.of("v0", 0), WeightedTarget.of("v2", 25));
    }

    @Test
    void givenAThirdVersionCarryingWeight_whenShifted_thenRefusedNamingIt() {
        assertThatThrownBy(() -> TargetWeights.shifted(
                List.of(WeightedTarget.of("v1", 50), WeightedTarget.of("v0", 50)), ROUTE, "v1", "v2", 5))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("services[orders].routes[checkout].targets[1]: v0=50 (expected: only v1 and v2 to carry weight during their canary)");
    }

    @Test
    void givenNoBaselineTarget_whenShifted_thenRefused() {
        assertThatThrownBy(() -> TargetWeights.shifted(List.of(WeightedTarget.of("v2", 100)), ROUTE, "v1", "v2", 5))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("services[orders].routes[checkout].targets: v2=100 (expected: the baseline v1 among them)");
    }
}
