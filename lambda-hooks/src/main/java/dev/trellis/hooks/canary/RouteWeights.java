package dev.trellis.hooks.canary;

import dev.trellis.canary.CanaryPlan;
import dev.trellis.spec.WeightedTarget;
import java.util.List;

/** The weighted targets of one route in the mesh spec: read them, and write a validated change. */
public interface RouteWeights {

    /**
     * The route's targets as the spec has them now.
     *
     * @throws IllegalStateException if the service or the route does not exist
     */
    List<WeightedTarget> current(CanaryPlan plan);

    /**
     * Gives the canary {@code canaryWeight} and the baseline the rest of 100, keeping the route's
     * other targets, after checking that the whole mesh spec stays valid.
     *
     * @throws dev.trellis.spec.InvalidSpecException if the change would make the spec invalid; nothing is written
     * @throws IllegalStateException if another version still carries weight
     */
    void write(CanaryPlan plan, int canaryWeight);
}
