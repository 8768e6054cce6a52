package dev.trellis.cdk.hooks;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.trellis.canary.CanaryPlan;
import dev.trellis.canary.InvalidCanaryPlanException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import software.amazon.awscdk.Duration;

/**
 * A progressive rollout of one route of a service from a baseline version to a canary, stepped
 * by the canary hook on the canary's CloudWatch metrics. It becomes the mesh contract's
 * {@link CanaryPlan}, so unset fields take the hook's defaults (steps 5/25/50/100, 5 minutes a
 * step, 99 % success, 500 ms p99, 100 requests, 1 failed check) and the plan is judged at synth
 * exactly as the hook will judge it.
 *
 * <pre>{@code
 * orders.addCanary("OrdersV2", CanaryRollout.builder()
 *         .route("canary").baseline("v1").canary("v2")
 *         .steps(10, 50, 100).interval(Duration.minutes(10))
 *         .build());
 * }</pre>
 */
public final class CanaryRollout {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> NAMES = Set.of("mesh", "service", "route", "baseline", "canary");

    private final Builder values;

    private CanaryRollout(Builder values) {
        this.values = values;
    }

    public static Builder builder() {
        return new Builder();
    }

    public String route() {
        return values.route;
    }

    public String baseline() {
        return values.baseline;
    }

    public String canary() {
        return values.canary;
    }

    public List<Integer> steps() {
        return values.steps == null ? List.of() : List.copyOf(values.steps);
    }

    /**
     * The plan the canary hook receives as its input: the mesh contract's {@link CanaryPlan} with
     * its defaults filled in, in its JSON form.
     *
     * @throws InvalidCanaryPlanException naming the first field the hook would refuse
     */
    public Map<String, Object> plan(String mesh, String service) {
        return JSON.convertValue(toPlan(mesh, service).toJson(), new TypeReference<Map<String, Object>>() { });
    }

    /** What is wrong with the rollout for a service with these routes and versions; empty when nothing. */
    public List<String> problems(String service, List<String> routes, List<String> versions) {
        List<String> problems = new ArrayList<>();
        if (values.route == null || !routes.contains(values.route)) {
            problems.add("canary.route: " + values.route + " (expected: one of the routes of " + service + ": "
                    + String.join(", ", routes) + ")");
        }
        if (values.baseline == null || !versions.contains(values.baseline)) {
            problems.add("canary.baseline: " + values.baseline + " (expected: one of " + String.join(", ", versions) + ")");
        }
        if (values.canary == null || !versions.contains(values.canary) || values.canary.equals(values.baseline)) {
            problems.add("canary.canary: " + values.canary + " (expected: one of " + String.join(", ", versions)
                    + ", other than the baseline)");
        }
        try {
            toPlan("mesh", service);
        } catch (InvalidCanaryPlanException e) {
            // Names are judged against the service above; the rest exactly as the hook will judge it.
            if (!NAMES.contains(e.field())) {
                problems.add("canary." + e.getMessage());
            }
        }
        return problems;
    }

    private CanaryPlan toPlan(String mesh, String service) {
        CanaryPlan.Builder plan = CanaryPlan.builder().mesh(mesh).service(service)
                .route(values.route).baseline(values.baseline).canary(values.canary);
        if (values.steps != null) {
            plan.steps(values.steps);
        }
        if (values.interval != null) {
            plan.interval(java.time.Duration.ofMillis(values.interval.toMilliseconds().longValue()));
        }
        if (values.minSuccessRate != null) {
            plan.minSuccessRate(values.minSuccessRate);
        }
        if (values.maxP99Latency != null) {
            plan.maxP99Latency(java.time.Duration.ofMillis(values.maxP99Latency.toMilliseconds().longValue()));
        }
        if (values.minRequests != null) {
            plan.minRequests(values.minRequests);
        }
        if (values.maxFailedChecks != null) {
            plan.maxFailedChecks(values.maxFailedChecks);
        }
        return plan.build();
    }

    public static final class Builder {
        private String route;
        private String baseline;
        private String canary;
        private List<Integer> steps;
        private Duration interval;
        private Double minSuccessRate;
        private Duration maxP99Latency;
        private Long minRequests;
        private Integer maxFailedChecks;

        private Builder() {
        }

        /** The route whose weights are stepped, by its name in the service's spec. */
        public Builder route(String route) {
            this.route = route;
            return this;
        }

        public Builder baseline(String baseline) {
            this.baseline = baseline;
            return this;
        }

        public Builder canary(String canary) {
            this.canary = canary;
            return this;
        }

        /** The canary's weight at each step, strictly increasing, ending at 100. */
        public Builder steps(Integer... steps) {
            this.steps = List.of(steps);
            return this;
        }

        /** How long each step lasts before it is judged. */
        public Builder interval(Duration interval) {
            this.interval = interval;
            return this;
        }

        /** The lowest share of non-5xx responses the canary may show, 0..1. */
        public Builder minSuccessRate(double minSuccessRate) {
            this.minSuccessRate = minSuccessRate;
            return this;
        }

        public Builder maxP99Latency(Duration maxP99Latency) {
            this.maxP99Latency = maxP99Latency;
            return this;
        }

        /** The fewest canary requests in a step for it to be judged at all. */
        public Builder minRequests(long minRequests) {
            this.minRequests = minRequests;
            return this;
        }

        /** Failed checks over the whole rollout that roll it back. */
        public Builder maxFailedChecks(int maxFailedChecks) {
            this.maxFailedChecks = maxFailedChecks;
            return this;
        }

        public CanaryRollout build() {
            Builder copy = new Builder();
            copy.route = route;
            copy.baseline = baseline;
            copy.canary = canary;
            copy.steps = steps;
            copy.interval = interval;
            copy.minSuccessRate = minSuccessRate;
            copy.maxP99Latency = maxP99Latency;
            copy.minRequests = minRequests;
            copy.maxFailedChecks = maxFailedChecks;
            return new CanaryRollout(copy);
        }
    }
}
