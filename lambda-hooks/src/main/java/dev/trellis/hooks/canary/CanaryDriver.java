package dev.trellis.hooks.canary;

import dev.trellis.canary.CanaryPlan;
import dev.trellis.hooks.HookDurations;
import dev.trellis.naming.MetricNames;
import dev.trellis.spec.WeightedTarget;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * Moves one route's weight from a baseline version to a canary, one decision per invocation
 * (a scheduled rule invokes it, every minute or so):
 *
 * <ol>
 *   <li>No rollout yet for the route (or the last one is over and this plan names another
 *       canary): write the first step's weights.</li>
 *   <li>The current step has not lasted {@link CanaryPlan#interval()} yet: hold, write nothing.</li>
 *   <li>Read the canary's and the baseline's metrics over the last interval. Too few canary
 *       requests, or no latency data: hold. The success rate below, or p99 above, the plan's
 *       threshold: a failed check; at {@link CanaryPlan#maxFailedChecks()} failed checks, roll
 *       back (canary weight 0) and record why. Otherwise promote to the next step; writing
 *       weight 100 completes the rollout.</li>
 * </ol>
 *
 * <p>State is saved before the spec is written, with the weight it replaces: if the spec write
 * does not land, the next invocation sees the old weight, recognizes it and writes again (after
 * a rollout ends, only within one interval of its last decision). Weights
 * that match neither mean someone else changed the route: the driver stops ({@link CanaryStatus#ABORTED})
 * and leaves them. Duplicate invocations are harmless: a step is judged only once it is due, and
 * an invocation after the rollout is over changes nothing.
 */
public final class CanaryDriver {

    /** Decisions kept in the state (the parameter's version history keeps all of them). */
    static final int HISTORY_LIMIT = 12;

    private final RouteWeights weights;
    private final CanaryStateStore store;
    private final CanaryMetrics metrics;
    private final Clock clock;

    private CanaryDriver(Builder builder) {
        this.weights = Objects.requireNonNull(builder.weights, "weights");
        this.store = Objects.requireNonNull(builder.store, "store");
        this.metrics = Objects.requireNonNull(builder.metrics, "metrics");
        this.clock = Objects.requireNonNull(builder.clock, "clock");
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * Takes the next decision for {@code plan}'s route.
     *
     * @throws IllegalStateException if another canary of the route is in progress, or the route
     *     cannot carry this canary (it names no baseline target, or a third version carries weight)
     * @throws dev.trellis.spec.InvalidSpecException if the weights would make the spec invalid
     *     (such as a canary version the service does not declare); nothing is written
     */
    public CanaryDecision advance(CanaryPlan plan) {
        Instant now = clock.instant();
        Optional<CanaryState> saved = store.load(plan.mesh(), plan.service(), plan.route());
        if (saved.isEmpty()) {
            return start(plan, now);
        }
        CanaryState state = saved.get();
        boolean sameRollout = state.plan().canary().equals(plan.canary())
                && state.plan().baseline().equals(plan.baseline());
        if (!sameRollout) {
            if (!state.status().isFinal()) {
                throw new IllegalStateException("canary: " + plan.canary() + " (expected: " + state.plan().canary()
                        + ", whose rollout from " + state.plan().baseline() + " on "
                        + SsmRouteWeights.routePath(plan) + " is in progress at "
                        + state.canaryWeight() + "%; a route has one canary at a time)");
            }
            return start(plan, now);
        }
        if (state.status().isFinal()) {
            CanaryDecision last = state.lastDecision();
            // Only shortly after the end: later, the route belongs to its owners again.
            if (state.status() != CanaryStatus.ABORTED && now.isBefore(last.at().plus(state.plan().interval()))) {
                repairLastWrite(state, currentOrNone(state.plan()));
            }
            return new CanaryDecision(now, CanaryAction.NONE, state.status(), state.step(), state.canaryWeight(),
                    "the rollout of " + plan.canary() + " is over (" + state.status() + " at " + last.at() + "): "
                            + last.reason(), Optional.empty(), Optional.empty());
        }
        List<WeightedTarget> targets = weights.current(state.plan());
        if (!repairLastWrite(state, targets) && !asWritten(targets, state.plan(), state.canaryWeight())) {
            return abort(state, now, targets);
        }
        return judge(state, now);
    }

    /**
     * Writes the state's weights again when the spec still shows the weights before them: the
     * state was saved but the spec write did not land. Returns whether it wrote.
     */
    private boolean repairLastWrite(CanaryState state, List<WeightedTarget> targets) {
        CanaryPlan plan = state.plan();
        if (targets.isEmpty() || asWritten(targets, plan, state.canaryWeight())
                || !asWritten(targets, plan, state.previousCanaryWeight())) {
            return false;
        }
        weights.write(plan, state.canaryWeight());
        return true;
    }

    private static boolean asWritten(List<WeightedTarget> targets, CanaryPlan plan, int canaryWeight) {
        return TargetWeights.weightOf(targets, plan.canary()) == canaryWeight
                && TargetWeights.weightOf(targets, plan.baseline()) == 100 - canaryWeight;
    }

    /** The route's targets, or none when the route is gone: a finished rollout has nothing left to repair then. */
    private List<WeightedTarget> currentOrNone(CanaryPlan plan) {
        try {
            return weights.current(plan);
        } catch (IllegalStateException e) {
            return List.of();
        }
    }

    private CanaryDecision start(CanaryPlan plan, Instant now) {
        int weight = plan.weightAt(0);
        List<WeightedTarget> targets = weights.current(plan);
        int before = TargetWeights.weightOf(targets, plan.canary());
        CanaryStatus status = plan.isLastStep(0) ? CanaryStatus.PROMOTED : CanaryStatus.PROGRESSING;
        CanaryDecision decision = new CanaryDecision(now, CanaryAction.START, status, 0, weight,
                "started " + plan.canary() + " from " + plan.baseline() + ": " + stepText(plan, 0)
                        + " (route targets were " + TargetWeights.show(targets) + ")",
                Optional.empty(), Optional.empty());
        CanaryState state = new CanaryState(plan, status, 0, weight, before, now, 0, List.of(decision));
        // Fail before saving anything when the route cannot carry this canary.
        TargetWeights.shifted(targets, SsmRouteWeights.routePath(plan), plan.baseline(), plan.canary(), weight);
        weights.write(plan, weight);
        store.save(state);
        return decision;
    }

    private CanaryDecision abort(CanaryState state, Instant now, List<WeightedTarget> targets) {
        CanaryPlan plan = state.plan();
        CanaryDecision decision = new CanaryDecision(now, CanaryAction.ABORT, CanaryStatus.ABORTED, state.step(),
                state.canaryWeight(), SsmRouteWeights.routePath(plan) + ".targets: " + TargetWeights.show(targets)
                        + " (expected: " + plan.baseline() + "=" + (100 - state.canaryWeight()) + ", " + plan.canary()
                        + "=" + state.canaryWeight() + " as the canary last wrote them); changed outside the canary,"
                        + " which stops and leaves them", Optional.empty(), Optional.empty());
        store.save(new CanaryState(plan, CanaryStatus.ABORTED, state.step(), state.canaryWeight(),
                state.previousCanaryWeight(), state.stepStartedAt(), state.failedChecks(), state.history())
                .withDecision(decision, HISTORY_LIMIT));
        return decision;
    }

    private CanaryDecision judge(CanaryState state, Instant now) {
        CanaryPlan plan = state.plan();
        Instant due = state.stepStartedAt().plus(plan.interval());
        if (now.isBefore(due)) {
            return new CanaryDecision(now, CanaryAction.HOLD, state.status(), state.step(), state.canaryWeight(),
                    stepText(plan, state.step()) + " is judged at " + due, Optional.empty(), Optional.empty());
        }
        Instant from = now.minus(plan.interval());
        StepMetrics canary = metrics.read(plan.service(), plan.route(), plan.canary(), from, now);
        StepMetrics baseline = metrics.read(plan.service(), plan.route(), plan.baseline(), from, now);
        String window = " in the last " + HookDurations.format(plan.interval());

        if (canary.requests() < plan.minRequests()) {
            return hold(state, now, state.failedChecks(), "canary requests: " + canary.requests() + window
                    + " (expected: at least " + plan.minRequests() + " to judge " + stepText(plan, state.step()) + ")",
                    canary, baseline);
        }
        List<String> failures = new ArrayList<>();
        if (canary.successRate() < plan.minSuccessRate()) {
            failures.add("canary success rate: " + rate(canary.successRate()) + window + ", " + canary.serverErrors()
                    + " 5xx of " + canary.requests() + " (expected: at least " + rate(plan.minSuccessRate())
                    + "; baseline: " + rate(baseline.successRate()) + ")");
        }
        if (canary.p99Latency().isPresent() && canary.p99Latency().get().compareTo(plan.maxP99Latency()) > 0) {
            failures.add("canary p99 latency: " + millis(canary.p99Latency()) + window + " (expected: at most "
                    + HookDurations.format(plan.maxP99Latency()) + "; baseline: " + millis(baseline.p99Latency()) + ")");
        }
        if (failures.isEmpty() && canary.p99Latency().isEmpty()) {
            return hold(state, now, state.failedChecks(), "canary p99 latency: no data" + window
                    + " (expected: the proxies' " + ProxyMetricNames.LATENCY_PERCENTILE + " with phi "
                    + MetricNames.P99 + ")", canary, baseline);
        }
        if (!failures.isEmpty()) {
            int failed = state.failedChecks() + 1;
            String reasons = String.join("; ", failures);
            if (failed < plan.maxFailedChecks()) {
                return hold(state, now, failed, "failed check " + failed + " of " + plan.maxFailedChecks()
                        + " allowed: " + reasons, canary, baseline);
            }
            return move(state, now, CanaryAction.ROLLBACK, CanaryStatus.ROLLED_BACK, state.step(), 0, failed,
                    "rolled back " + plan.canary() + " to 0% after " + failed + " failed check" + (failed == 1 ? "" : "s")
                            + " at " + stepText(plan, state.step()) + ": " + reasons, canary, baseline);
        }
        int next = state.step() + 1;
        CanaryStatus status = plan.isLastStep(next) ? CanaryStatus.PROMOTED : CanaryStatus.PROGRESSING;
        return move(state, now, CanaryAction.PROMOTE, status, next, plan.weightAt(next), state.failedChecks(),
                (status == CanaryStatus.PROMOTED ? "promoted " + plan.canary() + " to 100%" : "promoted to " + stepText(plan, next))
                        + ": canary success rate " + rate(canary.successRate()) + ", p99 " + millis(canary.p99Latency())
                        + " over " + canary.requests() + " requests" + window, canary, baseline);
    }

    private CanaryDecision hold(CanaryState state, Instant now, int failedChecks, String reason,
                                StepMetrics canary, StepMetrics baseline) {
        CanaryDecision decision = new CanaryDecision(now, CanaryAction.HOLD, state.status(), state.step(),
                state.canaryWeight(), reason, Optional.of(canary), Optional.of(baseline));
        store.save(new CanaryState(state.plan(), state.status(), state.step(), state.canaryWeight(),
                state.previousCanaryWeight(), state.stepStartedAt(), failedChecks, state.history())
                .withDecision(decision, HISTORY_LIMIT));
        return decision;
    }

    private CanaryDecision move(CanaryState state, Instant now, CanaryAction action, CanaryStatus status, int step,
                                int weight, int failedChecks, String reason, StepMetrics canary, StepMetrics baseline) {
        CanaryDecision decision = new CanaryDecision(now, action, status, step, weight, reason,
                Optional.of(canary), Optional.of(baseline));
        store.save(new CanaryState(state.plan(), status, step, weight, state.canaryWeight(), now, failedChecks,
                state.history()).withDecision(decision, HISTORY_LIMIT));
        weights.write(state.plan(), weight);
        return decision;
    }

    private static String stepText(CanaryPlan plan, int step) {
        return "step " + (step + 1) + " of " + plan.steps().size() + " (" + plan.weightAt(step) + "%)";
    }

    private static String rate(double rate) {
        return String.format(Locale.ROOT, "%.4f", rate);
    }

    private static String millis(Optional<Duration> latency) {
        return latency.map(d -> d.toMillis() + "ms").orElse("no data");
    }

    /** Builds a {@link CanaryDriver}; every part is required except the clock. */
    public static final class Builder {
        private RouteWeights weights;
        private CanaryStateStore store;
        private CanaryMetrics metrics;
        private Clock clock = Clock.systemUTC();

        private Builder() {
        }

        public Builder weights(RouteWeights weights) {
            this.weights = weights;
            return this;
        }

        public Builder store(CanaryStateStore store) {
            this.store = store;
            return this;
        }

        public Builder metrics(CanaryMetrics metrics) {
            this.metrics = metrics;
            return this;
        }

        public Builder clock(Clock clock) {
            this.clock = clock;
            return this;
        }

        public CanaryDriver build() {
            return new CanaryDriver(this);
        }
    }
}
