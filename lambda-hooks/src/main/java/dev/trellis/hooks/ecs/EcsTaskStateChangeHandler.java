package dev.trellis.hooks.ecs;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.trellis.aws.AwsClients;
import dev.trellis.cloudmap.ecs.EcsTaskSource;
import dev.trellis.cloudmap.ecs.EcsTaskStateChange;
import dev.trellis.cloudmap.reconcile.CloudMapReconciler;
import dev.trellis.cloudmap.reconcile.EventOutcome;
import dev.trellis.cloudmap.registrar.CloudMapRegistrar;
import dev.trellis.hooks.EventJson;
import dev.trellis.hooks.MalformedEventException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Map;

/**
 * Lambda entry point for EventBridge "ECS Task State Change" events
 * ({@code dev.trellis.hooks.ecs.EcsTaskStateChangeHandler::handleRequest}): parses the event and
 * hands it to {@link CloudMapReconciler#onTaskStateChange}, which registers a task that runs
 * healthy, deregisters one that begins to stop, and ignores duplicate, stale and foreign events.
 *
 * <p>A malformed event is answered with {@code REJECTED} and logged, not thrown: redelivering it
 * cannot make it well-formed. AWS errors that persist are thrown, so that Lambda's asynchronous
 * retries (and the function's failure destination) deliver the event again.
 */
public final class EcsTaskStateChangeHandler implements RequestStreamHandler {

    /** The answer's action for an event that cannot be read. */
    public static final String REJECTED = "REJECTED";

    private final CloudMapReconciler reconciler;

    /** What Lambda calls: settings and clients from the environment, once per execution environment. */
    public EcsTaskStateChangeHandler() {
        this(AwsClients.fromEnvironment(), System.getenv());
    }

    EcsTaskStateChangeHandler(AwsClients aws, Map<String, String> environment) {
        EcsHookSettings settings = EcsHookSettings.fromEnvironment(environment);
        this.reconciler = CloudMapReconciler.builder()
                .registrar(CloudMapRegistrar.of(aws.serviceDiscovery()))
                .tasks(EcsTaskSource.builder().client(aws.ecs()).mesh(settings.mesh()).clusters(settings.clusters()).build())
                .port(settings.proxyPort())
                .build();
    }

    @Override
    public void handleRequest(InputStream input, OutputStream output, Context context) {
        EcsTaskStateChange change;
        try {
            change = EcsTaskStateChange.from(EventJson.readObject(input));
        } catch (MalformedEventException | IllegalArgumentException e) {
            context.getLogger().log("ecs task event rejected: " + e.getMessage());
            EventJson.write(output, EventJson.mapper().createObjectNode()
                    .put("action", REJECTED).put("detail", e.getMessage()));
            return;
        }
        EventOutcome outcome = reconciler.onTaskStateChange(change);
        ObjectNode answer = EventJson.mapper().createObjectNode()
                .put("action", outcome.action().name())
                .put("taskArn", outcome.taskArn())
                .put("detail", outcome.detail());
        EventJson.write(output, answer);
    }
}
