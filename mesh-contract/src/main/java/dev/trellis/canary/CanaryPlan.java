package dev.trellis.canary;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.trellis.spec.Durations;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * How one canary is rolled out: which route of which service, from which version to which, the
 * canary's share at each step, how long each step lasts, and what the canary must show to move on.
 * The CDK's {@code CanaryRollout} writes it as the input of the scheduled rule; the canary hook
 * reads it back; both validate it here, so a plan the hook would refuse fails at synth.
 *
 * <p>As JSON:
 * <pre>{@code
 * {"mesh": "shop", "service": "orders", "route": "checkout",
 *  "baseline": "v1", "canary": "v2",
 *  "steps": [5, 25, 50, 100], "interval": "5m",
 *  "minSuccessRate": 0.99, "maxP99Latency": "500ms", "minRequests": 100, "maxFailedChecks": 1}
 * }</pre>
 *
 * @param mesh the mesh
 * @param service the service whose route is shifted
 * @param route the route's name in the service's spec
 * @param baseline the version that serves today
 * @param canary the version being rolled out
 * @param steps the canary's weight at each step, strictly increasing, ending at 100
 * @param interval how long each step lasts before it is judged; also the metrics window
 * @param minSuccessRate the lowest share of non-5xx responses the canary may show (0..1)
 * @param maxP99Latency the highest p99 latency the canary may show
 * @param minRequests the fewest canary requests in a window for it to be judged at all
 * @param maxFailedChecks failed checks, over the whole rollout, that trigger the rollback
 */
public record CanaryPlan(
        String mesh,
        String service,
        String route,
        String baseline,
        String canary,
        List<Integer> steps,
        Duration interval,
        double minSuccessRate,
        Duration maxP99Latency,
        long minRequests,
        int maxFailedChecks) {

    /** Steps as Flagger users know them. */
    public static final List<Integer> DEFAULT_STEPS = List.of(5, 25, 50, 100);
    public static final Duration DEFAULT_INTERVAL = Duration.ofMinutes(5);
    public static final double DEFAULT_MIN_SUCCESS_RATE = 0.99;
    public static final Duration DEFAULT_MAX_P99_LATENCY = Duration.ofMillis(500);
    public static final long DEFAULT_MIN_REQUESTS = 100;
    public static final int DEFAULT_MAX_FAILED_CHECKS = 1;
    /** CloudWatch's standard resolution: a shorter step would be judged on no data. */
    public static final Duration MIN_INTERVAL = Duration.ofMinutes(1);

    public CanaryPlan {
        steps = List.copyOf(steps);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The canary's weight at step {@code index}. */
    public int weightAt(int index) {
        return steps.get(index);
    }

    /** Whether {@code index} is the last step (weight 100). */
    public boolean isLastStep(int index) {
        return index == steps.size() - 1;
    }

    /**
     * Reads and validates a plan; every field but the names has a default.
     *
     * @throws InvalidCanaryPlanException naming the first field at fault
     */
    public static CanaryPlan fromJson(JsonNode json) {
        Builder b = builder()
                .mesh(text(json, "mesh"))
                .service(text(json, "service"))
                .route(text(json, "route"))
                .baseline(text(json, "baseline"))
                .canary(text(json, "canary"));
        JsonNode steps = json.get("steps");
        if (steps != null && !steps.isNull()) {
            if (!steps.isArray()) {
                throw new InvalidCanaryPlanException("steps", show(steps), "an array of weights such as [5, 25, 50, 100]");
            }
            List<Integer> weights = new ArrayList<>();
            for (int i = 0; i < steps.size(); i++) {
                JsonNode step = steps.get(i);
                if (!step.isInt()) {
                    throw new InvalidCanaryPlanException("steps[" + i + "]", show(step), "an integer 1..100");
                }
                weights.add(step.intValue());
            }
            b.steps(weights);
        }
        optionalDuration(json, "interval").ifPresent(b::interval);
        optionalDuration(json, "maxP99Latency").ifPresent(b::maxP99Latency);
        JsonNode rate = json.get("minSuccessRate");
        if (rate != null && !rate.isNull()) {
            if (!rate.isNumber()) {
                throw new InvalidCanaryPlanException("minSuccessRate", show(rate), "a number 0..1, such as 0.99");
            }
            b.minSuccessRate(rate.doubleValue());
        }
        JsonNode minRequests = json.get("minRequests");
        if (minRequests != null && !minRequests.isNull()) {
            if (!minRequests.canConvertToLong() || !minRequests.isIntegralNumber()) {
                throw new InvalidCanaryPlanException("minRequests", show(minRequests), "an integer, at least 1");
            }
            b.minRequests(minRequests.longValue());
        }
        JsonNode maxFailed = json.get("maxFailedChecks");
        if (maxFailed != null && !maxFailed.isNull()) {
            if (!maxFailed.isInt()) {
                throw new InvalidCanaryPlanException("maxFailedChecks", show(maxFailed), "an integer, at least 1");
            }
            b.maxFailedChecks(maxFailed.intValue());
        }
        return b.build();
    }

    /** The plan as {@link #fromJson} reads it. */
    public ObjectNode toJson() {
        ObjectNode json = JsonNodeFactory.instance.objectNode()
                .put("mesh", mesh).put("service", service).put("route", route)
                .put("baseline", baseline).put("canary", canary);
        ArrayNode stepArray = json.putArray("steps");
        steps.forEach(stepArray::add);
        return json.put("interval", Durations.format(interval))
                .put("minSuccessRate", minSuccessRate)
                .put("maxP99Latency", Durations.format(maxP99Latency))
                .put("minRequests", minRequests)
                .put("maxFailedChecks", maxFailedChecks);
    }

    private static String text(JsonNode json, String field) {
        return optionalText(json, field).orElseThrow(() -> new InvalidCanaryPlanException(field, "missing", "a non-empty string"));
    }

    private static Optional<String> optionalText(JsonNode json, String field) {
        JsonNode node = json.get(field);
        if (node == null || node.isNull()) {
            return Optional.empty();
        }
        if (!node.isTextual() || node.asText().isBlank()) {
            throw new InvalidCanaryPlanException(field, show(node), "a non-empty string");
        }
        return Optional.of(node.asText());
    }

    private static Optional<Duration> optionalDuration(JsonNode json, String field) {
        return optionalText(json, field).map(text -> {
            try {
                return Durations.parse(text);
            } catch (IllegalArgumentException e) {
                throw new InvalidCanaryPlanException(field, "\"" + text + "\"", "a number and a unit, such as 250ms, 15s, 5m or 1h");
            }
        });
    }

    /** How a node appears in an error: short, and JSON so that its type shows. */
    private static String show(JsonNode node) {
        String text = node.toString();
        return text.length() > 80 ? text.substring(0, 77) + "..." : text;
    }

    /** Builds a {@link CanaryPlan}; names are required, the rest has defaults. Not thread-safe. */
    public static final class Builder {
        private String mesh;
        private String service;
        private String route;
        private String baseline;
        private String canary;
        private List<Integer> steps = DEFAULT_STEPS;
        private Duration interval = DEFAULT_INTERVAL;
        private double minSuccessRate = DEFAULT_MIN_SUCCESS_RATE;
        private Duration maxP99Latency = DEFAULT_MAX_P99_LATENCY;
        private long minRequests = DEFAULT_MIN_REQUESTS;
        private int maxFailedChecks = DEFAULT_MAX_FAILED_CHECKS;

        private Builder() {
        }

        public Builder mesh(String mesh) {
            this.mesh = mesh;
            return this;
        }

        public Builder service(String service) {
            this.service = service;
            return this;
        }

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

        public Builder steps(List<Integer> steps) {
            this.steps = Objects.requireNonNull(steps, "steps");
            return this;
        }

        public Builder steps(Integer... steps) {
            return steps(List.of(steps));
        }

        public Builder interval(Duration interval) {
            this.interval = interval;
            return this;
        }

        public Builder minSuccessRate(double minSuccessRate) {
            this.minSuccessRate = minSuccessRate;
            return this;
        }

        public Builder maxP99Latency(Duration maxP99Latency) {
            this.maxP99Latency = maxP99Latency;
            return this;
        }

        public Builder minRequests(long minRequests) {
            this.minRequests = minRequests;
            return this;
        }

        public Builder maxFailedChecks(int maxFailedChecks) {
            this.maxFailedChecks = maxFailedChecks;
            return this;
        }

        /**
         * Validates and builds.
         *
         * @throws InvalidCanaryPlanException naming the first field at fault
         */
        public CanaryPlan build() {
            requireName("mesh", mesh);
            requireName("service", service);
            requireName("route", route);
            requireName("baseline", baseline);
            requireName("canary", canary);
            if (canary.equals(baseline)) {
                throw new InvalidCanaryPlanException("canary", canary, "a version other than the baseline " + baseline);
            }
            if (steps.isEmpty()) {
                throw new InvalidCanaryPlanException("steps", "[]", "at least one weight, the last one 100");
            }
            int previous = 0;
            for (int i = 0; i < steps.size(); i++) {
                Integer weight = steps.get(i);
                if (weight == null || weight <= previous || weight > 100) {
                    throw new InvalidCanaryPlanException("steps[" + i + "]", String.valueOf(weight),
                            "an integer " + (previous + 1) + "..100, above the step before");
                }
                previous = weight;
            }
            if (previous != 100) {
                throw new InvalidCanaryPlanException("steps[" + (steps.size() - 1) + "]", String.valueOf(previous),
                        "100: the last step sends every request to the canary");
            }
            if (interval == null || interval.compareTo(MIN_INTERVAL) < 0) {
                throw new InvalidCanaryPlanException("interval", interval == null ? "missing" : Durations.format(interval),
                        "at least 1m, CloudWatch's resolution");
            }
            if (!(minSuccessRate >= 0 && minSuccessRate <= 1)) {
                throw new InvalidCanaryPlanException("minSuccessRate", String.valueOf(minSuccessRate), "a number 0..1, such as 0.99");
            }
            if (maxP99Latency == null || maxP99Latency.isZero() || maxP99Latency.isNegative()) {
                throw new InvalidCanaryPlanException("maxP99Latency",
                        maxP99Latency == null ? "missing" : Durations.format(maxP99Latency), "a positive duration such as 500ms");
            }
            if (minRequests < 1) {
                throw new InvalidCanaryPlanException("minRequests", String.valueOf(minRequests), "an integer, at least 1");
            }
            if (maxFailedChecks < 1) {
                throw new InvalidCanaryPlanException("maxFailedChecks", String.valueOf(maxFailedChecks), "an integer, at least 1");
            }
            return new CanaryPlan(mesh, service, route, baseline, canary, steps, interval, minSuccessRate,
                    maxP99Latency, minRequests, maxFailedChecks);
        }

        private static void requireName(String field, String value) {
            if (value == null || value.isBlank()) {
                throw new InvalidCanaryPlanException(field, value == null ? "missing" : "\"" + value + "\"", "a non-empty string");
            }
        }
    }
}
