package dev.trellis.hooks.canary;

import dev.trellis.spec.WeightedTarget;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/** The arithmetic of a canary's targets: who carries which weight, and the shifted list. */
final class TargetWeights {

    private TargetWeights() {
    }

    /** The weight of {@code version} in {@code targets}, 0 when it is not a target. */
    static int weightOf(List<WeightedTarget> targets, String version) {
        return targets.stream().filter(t -> version.equals(t.version())).mapToInt(WeightedTarget::weight).sum();
    }

    /**
     * {@code targets} with the canary at {@code canaryWeight} and the baseline at the rest of 100;
     * the canary is appended when it is not a target yet, other versions are kept as they are.
     *
     * @throws IllegalStateException if another version carries weight, which the shift would silently skew
     */
    static List<WeightedTarget> shifted(List<WeightedTarget> targets, String routePath, String baseline,
                                        String canary, int canaryWeight) {
        List<WeightedTarget> result = new ArrayList<>();
        boolean sawBaseline = false;
        boolean sawCanary = false;
        for (int i = 0; i < targets.size(); i++) {
            WeightedTarget target = targets.get(i);
            if (baseline.equals(target.version())) {
                result.add(WeightedTarget.of(baseline, 100 - canaryWeight));
                sawBaseline = true;
            } else if (canary.equals(target.version())) {
                result.add(WeightedTarget.of(canary, canaryWeight));
                sawCanary = true;
            } else if (target.weight() > 0) {
                throw new IllegalStateException(routePath + ".targets[" + i + "]: " + show(List.of(target))
                        + " (expected: only " + baseline + " and " + canary + " to carry weight during their canary)");
            } else {
                result.add(target);
            }
        }
        if (!sawBaseline) {
            throw new IllegalStateException(routePath + ".targets: " + show(targets)
                    + " (expected: the baseline " + baseline + " among them)");
        }
        if (!sawCanary) {
            result.add(WeightedTarget.of(canary, canaryWeight));
        }
        return result;
    }

    /** {@code v1=95, v2=5}. */
    static String show(List<WeightedTarget> targets) {
        return targets.isEmpty() ? "[]"
                : targets.stream().map(t -> t.version() + "=" + t.weight()).collect(Collectors.joining(", "));
    }
}
