package dev.trellis.cdk.hooks;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awscdk.Duration;

/**
 * A progressive rollout of one route of a service from a baseline version to a canary, stepped
 * by the canary hook on the canary's CloudWatch metrics (the lambda-hooks module's
 * {@code CanaryPlan}). Unset fields take the hook's defaults (steps 5/25/50/100, 5 minutes a
 * step, 99 % success, 500 ms p99, 100 requests, 1 failed check).
 *
 * <pre>{@code
 * orders.addCanary("OrdersV2", CanaryRollout.builder()
 *         .route("canary").baseline("v1").canary("v2")
 *         .steps(10, 50, 100).interval(Duration.minutes(10))
 *         .build());
 * }</pre>
 */
public final class CanaryRollout {

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

    /** The plan the canary hook receives as its input, in its JSON field names. */
    public Map<String, Object> plan(String mesh, String service) {
        Map<String, Object> plan = new LinkedHashMap<>();
        plan.put("mesh", mesh);
        plan.put("service", service);
        plan.put("route", values.route);
        plan.put("baseline", values.baseline);
        plan.put("canary", values.canary);
        if (values.steps != null) {
            plan.put("steps", values.steps);
        }
        if (values.interval != null) {
            plan.put("interval", format(values.interval));
        }
        if (values.minSuccessRate != null) {
            plan.put("minSuccessRate", values.minSuccessRate);
        }
        if (values.maxP99Latency != null) {
            plan.put("maxP99Latency", format(values.maxP99Latency));
        }
        if (values.minRequests != null) {
            plan.put("minRequests", values.minRequests);
        }
        if (values.maxFailedChecks != null) {
            plan.put("maxFailedChecks", values.maxFailedChecks);
        }
        return plan;
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
        if (values.steps != null) {
            boolean increasing = true;
            for (int i = 1; i < values.steps.size(); i++) {
                increasing &= values.steps.get(i) > values.steps.get(i - 1);
            }
            if (values.steps.isEmpty() || !increasing || values.steps.get(0) <= 0
                    || values.steps.get(values.steps.size() - 1) != 100) {
                problems.add("canary.steps: " + values.steps + " (expected: weights strictly increasing from above 0, ending at 100)");
            }
        }
        if (values.interval != null && values.interval.toSeconds().doubleValue() < 60) {
            problems.add("canary.interval: " + format(values.interval) + " (expected: at least 1m, CloudWatch's resolution)");
        }
        if (values.minSuccessRate != null && (values.minSuccessRate < 0 || values.minSuccessRate > 1)) {
            problems.add("canary.minSuccessRate: " + values.minSuccessRate + " (expected: 0..1)");
        }
        return problems;
    }

    private static String format(Duration duration) {
        long ms = duration.toMilliseconds().longValue();
        if (ms != 0 && ms % 3_600_000 == 0) {
            return ms / 3_600_000 + "h";
        }
        if (ms != 0 && ms % 60_000 == 0) {
            return ms / 60_000 + "m";
        }
        if (ms % 1000 == 0) {
            return ms / 1000 + "s";
        }
        return ms + "ms";
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
