package dev.trellis.hooks.canary;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.trellis.canary.InvalidCanaryPlanException;
import dev.trellis.hooks.EventJson;
import dev.trellis.hooks.Fixtures;
import dev.trellis.hooks.MalformedEventException;
import dev.trellis.hooks.RecordingContext;
import dev.trellis.naming.SsmPaths;
import dev.trellis.spec.MeshSpecs;
import dev.trellis.spec.SpecParameters;
import dev.trellis.spec.WeightedTarget;
import dev.trellis.testing.aws.AwsEmulator;
import dev.trellis.testing.aws.WithAwsEmulator;
import dev.trellis.testing.time.MutableClock;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ssm.model.ParameterType;

/**
 * The canary Lambda handler: reads the plan as the scheduled rule sends it (the fixtures under
 * {@code canary/}), hands it to the driver (whose decisions {@link CanaryDriverTest} specifies)
 * and answers the decision as JSON.
 */
@WithAwsEmulator
class CanaryHandlerTest {

    private static final String SERVICE_PARAMETER = SsmPaths.service("shop", "orders");

    private final AwsEmulator aws;
    private final ProxyTraffic traffic;
    private final RecordingContext context = new RecordingContext("trellis-canary");
    private MutableClock clock;
    private CanaryHandler handler;

    CanaryHandlerTest(AwsEmulator aws) {
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
        handler = new CanaryHandler(aws.clients(), clock);
    }

    @Test
    void givenThePlanFixture_whenInvokedOncePerIntervalWithHealthyTraffic_thenEachAnswerPromotesUntil100() {
        assertThat(invoke(Fixtures.text("canary/plan-orders-checkout.json")).path("action").asText()).isEqualTo("START");
        for (int expected : new int[] {25, 50, 100}) {
            clock.advance(Duration.ofMinutes(5));
            Instant minute = clock.instant().minus(Duration.ofMinutes(2));
            traffic.minute("frontend", "orders", "checkout", "v2", minute, 1000, 0, Duration.ofMillis(90));
            traffic.minute("frontend", "orders", "checkout", "v1", minute, 1000, 0, Duration.ofMillis(90));

            JsonNode answer = invoke(Fixtures.text("canary/plan-orders-checkout.json"));

            assertThat(answer.path("action").asText()).isEqualTo("PROMOTE");
            assertThat(answer.path("canaryWeight").asInt()).isEqualTo(expected);
            assertThat(answer.path("canary").path("requests").asLong()).isEqualTo(1000);
            assertThat(answer.path("baseline").path("p99LatencyMillis").asLong()).isEqualTo(90);
        }
        assertThat(checkoutTargets()).containsExactly(WeightedTarget.of("v1", 0), WeightedTarget.of("v2", 100));
        assertThat(context.lines()).last().asString()
                .startsWith("canary shop/orders/checkout: PROMOTE 100% (PROMOTED): promoted v2 to 100%");
    }

    @Test
    void givenTheScheduledEventEnvelope_whenInvoked_thenThePlanIsTakenFromItsDetail() {
        JsonNode decision = invoke(Fixtures.text("canary/scheduled-event-orders-checkout.json"));

        assertThat(decision.path("action").asText()).isEqualTo("START");
        assertThat(checkoutTargets()).containsExactly(WeightedTarget.of("v1", 95), WeightedTarget.of("v2", 5));
    }

    @Test
    void givenAMalformedPlan_whenInvoked_thenFailsNamingTheFieldAndWritesNothing() {
        ObjectNode malformed = EventJson.readObject(Fixtures.text("canary/plan-orders-checkout.json"));
        malformed.putArray("steps").add(5).add(50).add(25).add(100);

        assertThatThrownBy(() -> invoke(malformed.toString()))
                .isInstanceOf(InvalidCanaryPlanException.class)
                .hasMessage("steps[2]: 25 (expected: an integer 51..100, above the step before)");
        assertThat(checkoutTargets()).containsExactly(WeightedTarget.of("v1", 100));
    }

    @Test
    void givenAnEnvelopeWithoutDetail_whenInvoked_thenFailsNamingIt() {
        ObjectNode envelope = EventJson.readObject(Fixtures.text("canary/scheduled-event-orders-checkout.json"));
        envelope.remove("detail");

        assertThatThrownBy(() -> invoke(envelope.toString()))
                .isInstanceOf(MalformedEventException.class)
                .hasMessage("detail: missing (expected: a JSON object)");
    }

    @Test
    void givenInputThatIsNotJson_whenInvoked_thenFailsAsMalformed() {
        assertThatThrownBy(() -> invoke("{\"mesh\": "))
                .isInstanceOf(MalformedEventException.class)
                .hasMessageStartingWith("(event): malformed JSON");
        assertThat(checkoutTargets()).containsExactly(WeightedTarget.of("v1", 100));
    }

    private JsonNode invoke(String event) {
        ByteArrayOutputStream output = new ByteArrayOutputStream();
        handler.handleRequest(new ByteArrayInputStream(event.getBytes(StandardCharsets.UTF_8)), output, context);
        return EventJson.readObject(output.toString(StandardCharsets.UTF_8));
    }

    private List<WeightedTarget> checkoutTargets() {
        String json = aws.clients().ssm().getParameter(r -> r.name(SERVICE_PARAMETER)).parameter().value();
        return MeshSpecs.serviceFromJson(json, SERVICE_PARAMETER).route("checkout").orElseThrow().targets();
    }
}
