package dev.trellis.hooks.canary;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.trellis.aws.AwsClients;
import dev.trellis.canary.CanaryPlan;
import dev.trellis.hooks.EventJson;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Clock;

/**
 * Lambda entry point of progressive delivery ({@code dev.trellis.hooks.canary.CanaryHandler::handleRequest}):
 * a scheduled EventBridge rule invokes it with a {@link CanaryPlan} as its input (or as the
 * {@code detail} of an event); it takes one decision with {@link CanaryDriver} and answers with
 * that decision as JSON. A malformed plan or a route that cannot carry the canary fails the
 * invocation, so that Lambda's error metric shows it.
 */
public final class CanaryHandler implements RequestStreamHandler {

    private final CanaryDriver driver;

    /** What Lambda calls: clients from the environment, built once per execution environment. */
    public CanaryHandler() {
        this(AwsClients.fromEnvironment(), Clock.systemUTC());
    }

    CanaryHandler(AwsClients aws, Clock clock) {
        this.driver = CanaryDriver.builder()
                .weights(SsmRouteWeights.of(aws.ssm()))
                .store(SsmCanaryStateStore.of(aws.ssm()))
                .metrics(CloudWatchCanaryMetrics.of(aws.cloudWatch()))
                .clock(clock)
                .build();
    }

    @Override
    public void handleRequest(InputStream input, OutputStream output, Context context) {
        ObjectNode event = EventJson.readObject(input);
        JsonNode planJson = event.has("detail-type") ? EventJson.object(event, "detail", "detail") : event;
        CanaryPlan plan = CanaryPlan.fromJson(planJson);
        CanaryDecision decision = driver.advance(plan);
        context.getLogger().log("canary " + plan.mesh() + "/" + plan.service() + "/" + plan.route() + ": "
                + decision.action() + " " + decision.canaryWeight() + "% (" + decision.status() + "): " + decision.reason());
        EventJson.write(output, decision.toJson());
    }
}
