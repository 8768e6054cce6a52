package dev.trellis.hooks.canary;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.trellis.canary.CanaryPlan;
import dev.trellis.hooks.EventJson;
import dev.trellis.hooks.Fixtures;
import dev.trellis.naming.SsmPaths;
import dev.trellis.spec.InvalidSpecException;
import dev.trellis.spec.MeshSpecs;
import dev.trellis.spec.RouteSpec;
import dev.trellis.spec.ServiceSpec;
import dev.trellis.spec.SpecParameters;
import dev.trellis.spec.WeightedTarget;
import dev.trellis.testing.aws.AwsEmulator;
import dev.trellis.testing.aws.WithAwsEmulator;
import dev.trellis.testing.time.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ssm.model.ParameterNotFoundException;
import software.amazon.awssdk.services.ssm.model.ParameterType;

/**
 * The canary driver's decisions against moto's SSM and CloudWatch: the spec as the CDK constructs
 * store it, metrics as the proxies publish them, one decision per step of a test clock.
 */
@WithAwsEmulator
class CanaryDriverTest {

    private static final String SERVICE_PARAMETER = SsmPaths.service("shop", "orders");
    private static final String STATE_PARAMETER = SsmCanaryStateStore.parameterName("shop", "orders", "checkout");
    private static final Duration INTERVAL = Duration.ofMinutes(5);

    private final AwsEmulator aws;
    private final ProxyTraffic traffic;
    private MutableClock clock;
    private CanaryDriver driver;

    CanaryDriverTest(AwsEmulator aws) {
        this.aws = aws;
        this.traffic = new ProxyTraffic(aws.clients().cloudWatch());
    }

    @BeforeEach
    void freshMesh() {
        aws.reset();
        SpecParameters.toParameters(MeshSpecs.parse(Fixtures.text("canary/shop-mesh.yaml"), "shop-mesh.yaml"))
                .forEach((name, value) -> aws.clients().ssm().putParameter(r -> r.name(name).value(value)
                        .type(ParameterType.STRING).overwrite(true)));
        clock = new MutableClock(Instant.now().truncatedTo(ChronoUnit.MINUTES));
        driver = CanaryDriver.builder()
                .weights(SsmRouteWeights.of(aws.clients().ssm()))
                .store(SsmCanaryStateStore.of(aws.clients().ssm()))
                .metrics(CloudWatchCanaryMetrics.of(aws.clients().cloudWatch()))
                .clock(clock)
                .build();
    }

    @Nested
    class HealthyCanary {

        @Test
        void givenHealthyMetricsAtEveryStep_whenInvokedOncePerInterval_thenPromotedStepByStepTo100() {
            JsonNode started = invoke(plan());
            assertThat(started.path("action").asText()).isEqualTo("START");
            assertThat(checkoutTargets()).containsExactly(WeightedTarget.of("v1", 95), WeightedTarget.of("v2", 5));

            for (int expected : new int[] {25, 50, 100}) {
                nextIntervalOfTraffic(1000, 0, Duration.ofMillis(120));
                JsonNode decision = invoke(plan());
                assertThat(decision.path("action").asText()).isEqualTo("PROMOTE");
                assertThat(decision.path("canaryWeight").asInt()).isEqualTo(expected);
                assertThat(checkoutTargets()).containsExactly(
                        WeightedTarget.of("v1", 100 - expected), WeightedTarget.of("v2", expected));
            }

            CanaryState state = savedState();
            assertThat(state.status()).isEqualTo(CanaryStatus.PROMOTED);
            assertThat(state.lastDecision().reason()).startsWith("promoted v2 to 100%");
            assertThat(state.history()).extracting(CanaryDecision::action).containsExactly(
                    CanaryAction.START, CanaryAction.PROMOTE, CanaryAction.PROMOTE, CanaryAction.PROMOTE);
        }

        @Test
        void givenTheRolloutIsOver_whenInvokedAgain_thenNothingChanges() {
            ObjectNode oneStep = plan().put("steps", (String) null);
            oneStep.putArray("steps").add(50).add(100);
            invoke(oneStep);
            nextIntervalOfTraffic(1000, 0, Duration.ofMillis(100));
            invoke(oneStep);
            long version = parameterVersion(SERVICE_PARAMETER);
            long stateVersion = parameterVersion(STATE_PARAMETER);

            nextIntervalOfTraffic(1000, 1000, Duration.ofMillis(5000));
            JsonNode again = invoke(oneStep);

            assertThat(again.path("action").asText()).isEqualTo("NONE");
            assertThat(again.path("status").asText()).isEqualTo("PROMOTED");
            assertThat(parameterVersion(SERVICE_PARAMETER)).isEqualTo(version);
            assertThat(parameterVersion(STATE_PARAMETER)).isEqualTo(stateVersion);
        }

        @Test
        void givenTheStepIsNotDue_whenInvokedAgain_thenHoldsAndWritesNothing() {
            invoke(plan());
            long stateVersion = parameterVersion(STATE_PARAMETER);
            clock.advance(Duration.ofMinutes(4));

            JsonNode early = invoke(plan());

            assertThat(early.path("action").asText()).isEqualTo("HOLD");
            assertThat(early.path("reason").asText()).contains("step 1 of 4 (5%) is judged at");
            assertThat(checkoutTargets()).containsExactly(WeightedTarget.of("v1", 95), WeightedTarget.of("v2", 5));
            assertThat(parameterVersion(STATE_PARAMETER)).isEqualTo(stateVersion);
        }

        @Test
        void givenADuplicateInvocationRightAfterAPromotion_whenInvoked_thenItDoesNotPromoteTwice() {
            invoke(plan());
            nextIntervalOfTraffic(1000, 0, Duration.ofMillis(100));
            invoke(plan());

            JsonNode duplicate = invoke(plan());

            assertThat(duplicate.path("action").asText()).isEqualTo("HOLD");
            assertThat(checkoutTargets()).containsExactly(WeightedTarget.of("v1", 75), WeightedTarget.of("v2", 25));
        }

        @Test
        void givenTooLittleCanaryTraffic_whenJudged_thenHoldsWithTheReason() {
            invoke(plan());
            nextIntervalOfTraffic(20, 0, Duration.ofMillis(100));

            JsonNode decision = invoke(plan());

            assertThat(decision.path("action").asText()).isEqualTo("HOLD");
            assertThat(decision.path("reason").asText())
                    .isEqualTo("canary requests: 20 in the last 5m (expected: at least 100 to judge step 1 of 4 (5%))");
            assertThat(checkoutTargets()).containsExactly(WeightedTarget.of("v1", 95), WeightedTarget.of("v2", 5));
            assertThat(savedState().lastDecision().action()).isEqualTo(CanaryAction.HOLD);
        }

    }

    @Nested
    class FailingCanary {

        @Test
        void givenA5xxRateAboveTheThreshold_whenJudged_thenRolledBackToZeroAndTheReasonIsRecorded() {
            invoke(plan());
            nextIntervalOfTraffic(1000, 0, Duration.ofMillis(100));
            invoke(plan());
            clock.advance(INTERVAL);
            Instant minute = clock.instant().minus(Duration.ofMinutes(2));
            traffic.minute("frontend", "orders", "checkout", "v2", minute, 950, 50, Duration.ofMillis(100));
            traffic.minute("frontend", "orders", "checkout", "v1", minute, 3000, 3, Duration.ofMillis(100));

            JsonNode decision = invoke(plan());

            assertThat(decision.path("action").asText()).isEqualTo("ROLLBACK");
            assertThat(checkoutTargets()).containsExactly(WeightedTarget.of("v1", 100), WeightedTarget.of("v2", 0));
            CanaryState state = savedState();
            assertThat(state.status()).isEqualTo(CanaryStatus.ROLLED_BACK);
            assertThat(state.canaryWeight()).isZero();
            assertThat(state.lastDecision().reason()).isEqualTo("rolled back v2 to 0% after 1 failed check at step 2 of 4 (25%):"
                    + " canary success rate: 0.9500 in the last 5m, 50 5xx of 1000 (expected: at least 0.9900; baseline: 0.9990)");
            assertThat(state.lastDecision().canary()).contains(StepMetrics.of(1000, 50, Duration.ofMillis(100)));
        }

        @Test
        void givenAP99AboveTheThreshold_whenJudged_thenRolledBackWithTheLatencyAsReason() {
            invoke(plan());
            nextIntervalOfTraffic(1000, 0, Duration.ofMillis(800));

            JsonNode decision = invoke(plan());

            assertThat(decision.path("action").asText()).isEqualTo("ROLLBACK");
            assertThat(decision.path("reason").asText())
                    .endsWith("canary p99 latency: 800ms in the last 5m (expected: at most 500ms; baseline: 800ms)");
            assertThat(checkoutTargets()).containsExactly(WeightedTarget.of("v1", 100), WeightedTarget.of("v2", 0));
        }

        @Test
        void givenTwoFailedChecksAllowed_whenTheFirstFails_thenHoldsAndTheSecondRollsBack() {
            ObjectNode tolerant = plan().put("maxFailedChecks", 2);
            invoke(tolerant);
            nextIntervalOfTraffic(1000, 100, Duration.ofMillis(100));

            JsonNode first = invoke(tolerant);
            assertThat(first.path("action").asText()).isEqualTo("HOLD");
            assertThat(first.path("reason").asText()).startsWith("failed check 1 of 2 allowed: canary success rate: 0.9000");
            assertThat(checkoutTargets()).containsExactly(WeightedTarget.of("v1", 95), WeightedTarget.of("v2", 5));

            nextIntervalOfTraffic(1000, 100, Duration.ofMillis(100));
            JsonNode second = invoke(tolerant);
            assertThat(second.path("action").asText()).isEqualTo("ROLLBACK");
            assertThat(checkoutTargets()).containsExactly(WeightedTarget.of("v1", 100), WeightedTarget.of("v2", 0));
        }

        @Test
        void givenARolledBackCanary_whenInvokedAgainWithHealthyMetrics_thenItStaysRolledBack() {
            invoke(plan());
            nextIntervalOfTraffic(1000, 500, Duration.ofMillis(100));
            invoke(plan());
            nextIntervalOfTraffic(1000, 0, Duration.ofMillis(100));

            JsonNode again = invoke(plan());

            assertThat(again.path("action").asText()).isEqualTo("NONE");
            assertThat(again.path("status").asText()).isEqualTo("ROLLED_BACK");
            assertThat(checkoutTargets()).containsExactly(WeightedTarget.of("v1", 100), WeightedTarget.of("v2", 0));
        }
    }

    @Nested
    class WritesThatGoAstray {

        @Test
        void givenARollbackWhoseSpecWriteDidNotLand_whenInvokedAgain_thenTheCanaryIsTakenToZeroAnyway() {
            invoke(plan());
            nextIntervalOfTraffic(1000, 0, Duration.ofMillis(100));
            invoke(plan());
            nextIntervalOfTraffic(1000, 500, Duration.ofMillis(100));
            invoke(plan());
            // As if the rolled-back state had been saved but the spec write had failed.
            setCheckoutTargets(List.of(WeightedTarget.of("v1", 75), WeightedTarget.of("v2", 25)));

            JsonNode again = invoke(plan());

            assertThat(again.path("action").asText()).isEqualTo("NONE");
            assertThat(checkoutTargets()).containsExactly(WeightedTarget.of("v1", 100), WeightedTarget.of("v2", 0));
        }

        @Test
        void givenARolledBackCanary_whenAnOperatorSetsWeightsAnIntervalLater_thenTheyAreLeftAlone() {
            invoke(plan());
            nextIntervalOfTraffic(1000, 500, Duration.ofMillis(100));
            invoke(plan());
            clock.advance(INTERVAL);
            setCheckoutTargets(List.of(WeightedTarget.of("v1", 95), WeightedTarget.of("v2", 5)));

            JsonNode again = invoke(plan());

            assertThat(again.path("action").asText()).isEqualTo("NONE");
            assertThat(checkoutTargets()).containsExactly(WeightedTarget.of("v1", 95), WeightedTarget.of("v2", 5));
        }

        @Test
        void givenAFinishedRolloutWhoseRouteWasRemoved_whenInvokedAgain_thenNothingHappensAndNothingFails() {
            ObjectNode oneStep = plan();
            oneStep.putArray("steps").add(100);
            invoke(oneStep);
            setRoutes(List.of());

            JsonNode again = invoke(oneStep);

            assertThat(again.path("action").asText()).isEqualTo("NONE");
            assertThat(again.path("status").asText()).isEqualTo("PROMOTED");
        }

        @Test
        void givenWeightsChangedByHandMidRollout_whenInvoked_thenAbortsAndLeavesThem() {
            invoke(plan());
            setCheckoutTargets(List.of(WeightedTarget.of("v1", 60), WeightedTarget.of("v2", 40)));
            nextIntervalOfTraffic(1000, 0, Duration.ofMillis(100));

            JsonNode decision = invoke(plan());

            assertThat(decision.path("action").asText()).isEqualTo("ABORT");
            assertThat(decision.path("reason").asText()).isEqualTo("services[orders].routes[checkout].targets: v1=60, v2=40"
                    + " (expected: v1=95, v2=5 as the canary last wrote them); changed outside the canary, which stops and leaves them");
            assertThat(checkoutTargets()).containsExactly(WeightedTarget.of("v1", 60), WeightedTarget.of("v2", 40));
            assertThat(savedState().status()).isEqualTo(CanaryStatus.ABORTED);
        }

        @Test
        void givenTheLastSpecWriteDidNotLand_whenInvoked_thenItIsWrittenAgainAndTheRolloutGoesOn() {
            invoke(plan());
            nextIntervalOfTraffic(1000, 0, Duration.ofMillis(100));
            invoke(plan());
            // As if the state had been saved but the spec write had failed: the spec still shows step 1.
            setCheckoutTargets(List.of(WeightedTarget.of("v1", 95), WeightedTarget.of("v2", 5)));
            clock.advance(Duration.ofMinutes(1));

            JsonNode decision = invoke(plan());

            assertThat(decision.path("action").asText()).isEqualTo("HOLD");
            assertThat(checkoutTargets()).containsExactly(WeightedTarget.of("v1", 75), WeightedTarget.of("v2", 25));
        }

        @Test
        void givenACanaryVersionTheServiceDoesNotDeclare_whenStarted_thenFailsAndWritesNothing() {
            ObjectNode undeclared = plan().put("canary", "v3");

            assertThatThrownBy(() -> invoke(undeclared))
                    .isInstanceOf(InvalidSpecException.class)
                    .hasMessageContaining("services[orders].routes[1].targets[1].version: v3 (expected: one of v1, v2)");
            assertThat(checkoutTargets()).containsExactly(WeightedTarget.of("v1", 100));
            assertThatThrownBy(() -> parameterVersion(STATE_PARAMETER)).isInstanceOf(ParameterNotFoundException.class);
        }

        @Test
        void givenARouteTheServiceDoesNotHave_whenStarted_thenFailsNamingTheRoutesThereAre() {
            assertThatThrownBy(() -> invoke(plan().put("route", "refunds")))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessage("route: refunds (expected: a route of orders: beta, checkout)");
        }

        @Test
        void givenAnotherCanaryInProgressOnTheRoute_whenStarted_thenRefused() {
            invoke(plan());

            assertThatThrownBy(() -> invoke(plan().put("baseline", "v2").put("canary", "v1")))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageStartingWith("canary: v1 (expected: v2, whose rollout from v1 on services[orders].routes[checkout] is in progress at 5%");
            assertThat(checkoutTargets()).containsExactly(WeightedTarget.of("v1", 95), WeightedTarget.of("v2", 5));
        }

    }

    private static ObjectNode plan() {
        return EventJson.readObject(Fixtures.text("canary/plan-orders-checkout.json"));
    }

    /** Moves the clock one interval on and puts two minutes of traffic inside the new window. */
    private void nextIntervalOfTraffic(long canaryRequests, long canaryErrors, Duration p99) {
        clock.advance(INTERVAL);
        for (int minutesAgo : new int[] {3, 1}) {
            Instant minute = clock.instant().minus(Duration.ofMinutes(minutesAgo));
            traffic.minute("frontend", "orders", "checkout", "v2", minute, (canaryRequests - canaryErrors) / 2,
                    canaryErrors / 2, p99);
            traffic.minute("frontend", "orders", "checkout", "v1", minute, 5000, 0, p99);
        }
    }

    /** One decision, as JSON, so that assertions read like the handler's answer. */
    private JsonNode invoke(JsonNode plan) {
        return driver.advance(CanaryPlan.fromJson(plan)).toJson();
    }

    private List<WeightedTarget> checkoutTargets() {
        String json = aws.clients().ssm().getParameter(r -> r.name(SERVICE_PARAMETER)).parameter().value();
        return MeshSpecs.serviceFromJson(json, SERVICE_PARAMETER).route("checkout").orElseThrow().targets();
    }

    /** Writes the checkout route's targets by hand, as an operator (or a deploy) would. */
    private void setCheckoutTargets(List<WeightedTarget> targets) {
        String json = aws.clients().ssm().getParameter(r -> r.name(SERVICE_PARAMETER)).parameter().value();
        ServiceSpec service = MeshSpecs.serviceFromJson(json, SERVICE_PARAMETER);
        setRoutes(service.routes().stream().map(r -> r.name().equals("checkout")
                ? new RouteSpec(r.name(), r.priority(), r.match(), targets, null, null, null, null, null)
                : r).toList());
    }

    private void setRoutes(List<RouteSpec> routes) {
        String json = aws.clients().ssm().getParameter(r -> r.name(SERVICE_PARAMETER)).parameter().value();
        ServiceSpec service = MeshSpecs.serviceFromJson(json, SERVICE_PARAMETER);
        String updated = MeshSpecs.serviceToJson(service.withRoutes(routes));
        aws.clients().ssm().putParameter(r -> r.name(SERVICE_PARAMETER).value(updated).type(ParameterType.STRING).overwrite(true));
    }

    private CanaryState savedState() {
        return SsmCanaryStateStore.of(aws.clients().ssm()).load("shop", "orders", "checkout").orElseThrow();
    }

    private long parameterVersion(String name) {
        return aws.clients().ssm().getParameter(r -> r.name(name)).parameter().version();
    }
}
