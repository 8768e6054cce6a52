package dev.trellis.proxy.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("SmoothWeightedPicker: deterministic weighted picking")
class WeightedSplitTest {

    @Test
    @DisplayName("GIVEN weights 90/10 WHEN 10,000 picks are made from 4 threads THEN exactly 9,000 and 1,000")
    void ninetyTenExact() throws Exception {
        SmoothWeightedPicker<String> picker = new SmoothWeightedPicker<>(List.of("v1", "v2"), List.of(90, 10));
        AtomicIntegerArray counts = new AtomicIntegerArray(2);
        ExecutorService threads = Executors.newFixedThreadPool(4);
        for (int t = 0; t < 4; t++) {
            threads.submit(() -> {
                for (int i = 0; i < 2_500; i++) {
                    counts.incrementAndGet(picker.pickIndex());
                }
            });
        }
        threads.shutdown();
        assertThat(threads.awaitTermination(10, TimeUnit.SECONDS)).isTrue();

        assertThat(counts.get(0)).isEqualTo(9_000);
        assertThat(counts.get(1)).isEqualTo(1_000);
    }

    @Test
    @DisplayName("GIVEN weights 5/1/1 WHEN 7 picks are made THEN they interleave (nginx's sequence a a b a c a a), never bursts")
    void smoothSequence() {
        SmoothWeightedPicker<String> picker = new SmoothWeightedPicker<>(List.of("a", "b", "c"), List.of(5, 1, 1));
        StringBuilder sequence = new StringBuilder();
        for (int i = 0; i < 7; i++) {
            sequence.append(picker.pick());
        }
        assertThat(sequence).hasToString("aabacaa");
    }

    @Test
    @DisplayName("GIVEN every window of sum(weights) picks WHEN counted THEN each target has exactly its weight")
    void everyWindowExact() {
        SmoothWeightedPicker<String> picker = new SmoothWeightedPicker<>(List.of("x", "y", "z"), List.of(3, 2, 5));
        for (int window = 0; window < 5; window++) {
            Map<String, Integer> counts = new HashMap<>();
            for (int i = 0; i < 10; i++) {
                counts.merge(picker.pick(), 1, Integer::sum);
            }
            assertThat(counts).containsEntry("x", 3).containsEntry("y", 2).containsEntry("z", 5);
        }
    }

    @Test
    @DisplayName("GIVEN a zero weight WHEN picking THEN that target is never picked")
    void zeroWeightNeverPicked() {
        SmoothWeightedPicker<String> picker = new SmoothWeightedPicker<>(List.of("on", "off"), List.of(1, 0));
        for (int i = 0; i < 100; i++) {
            assertThat(picker.pick()).isEqualTo("on");
        }
    }

    @Test
    @DisplayName("GIVEN bad weights WHEN building THEN the error names the value and what was expected")
    void badWeights() {
        assertThatThrownBy(() -> new SmoothWeightedPicker<>(List.of("a"), List.of(0)))
                .hasMessage("weights: sum 0 (expected: > 0)");
        assertThatThrownBy(() -> new SmoothWeightedPicker<>(List.of("a", "b"), List.of(1)))
                .hasMessage("targets: 2 with 1 weights (expected: as many weights as targets, at least one)");
        assertThatThrownBy(() -> new SmoothWeightedPicker<>(List.of("a"), List.of(-1)))
                .hasMessage("weight: -1 (expected: >= 0)");
    }
}
