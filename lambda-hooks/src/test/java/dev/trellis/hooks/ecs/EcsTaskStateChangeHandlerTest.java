package dev.trellis.hooks.ecs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.trellis.hooks.EventJson;
import dev.trellis.hooks.Fixtures;
import dev.trellis.hooks.RecordingContext;
import dev.trellis.naming.CloudMapAttributes;
import dev.trellis.naming.MeshPorts;
import dev.trellis.testing.aws.AwsEmulator;
import dev.trellis.testing.aws.WithAwsEmulator;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ecs.model.Task;

/**
 * The ECS hook against moto's ECS and Cloud Map, with events in the shape AWS documents for
 * "ECS Task State Change" (fixtures under {@code ecs/}), rewritten to name real emulator tasks.
 */
@WithAwsEmulator
class EcsTaskStateChangeHandlerTest {

    private static final String MESH = "shop";
    private static final String CLUSTER = "prod";

    private final AwsEmulator aws;
    private final RecordingContext context = new RecordingContext("trellis-ecs-task-state");
    private MeshTasks tasks;

    EcsTaskStateChangeHandlerTest(AwsEmulator aws) {
        this.aws = aws;
    }

    @BeforeEach
    void freshMeshAndCluster() {
        aws.reset();
        aws.setEcsTaskTransitionManual(10_000); // tasks stay RUNNING however often they are described
        tasks = new MeshTasks(aws);
        tasks.createMesh(MESH, CLUSTER);
    }

    @AfterEach
    void closeFixture() {
        tasks.close();
    }

    @Nested
    class RunningAndStopping {

        @Test
        void givenARunningHealthyMeshTask_whenItsRunningEventArrives_thenItIsRegisteredWithItsEniAddress() {
            Task task = tasks.run(CLUSTER, MESH, "orders", "v2");

            JsonNode answer = invoke(newHandler(), event("ecs/task-running.json", task));

            assertThat(answer.path("action").asText()).isEqualTo("REGISTERED");
            assertThat(tasks.instances(MESH, "orders")).singleElement().satisfies(i -> assertThat(i.attributes())
                    .containsEntry(CloudMapAttributes.IPV4, MeshTasks.privateIpv4(task))
                    .containsEntry(CloudMapAttributes.PORT, String.valueOf(MeshPorts.INBOUND))
                    .containsEntry(CloudMapAttributes.VERSION, "v2")
                    .containsEntry(CloudMapAttributes.WORKLOAD, task.taskArn()));
        }

        @Test
        void givenARegisteredTask_whenItBeginsToStop_thenItIsDeregisteredAtOnce() {
            Task task = tasks.run(CLUSTER, MESH, "orders", "v1");
            EcsTaskStateChangeHandler handler = newHandler();
            invoke(handler, event("ecs/task-running.json", task));

            JsonNode answer = invoke(handler, event("ecs/task-stopping.json", task));

            assertThat(answer.path("action").asText()).isEqualTo("DEREGISTERED");
            assertThat(tasks.instances(MESH, "orders")).isEmpty();
        }

        @Test
        void givenAnotherPort_whenConfigured_thenTasksAreRegisteredOnIt() {
            Task task = tasks.run(CLUSTER, MESH, "orders", "v1");
            EcsTaskStateChangeHandler handler = new EcsTaskStateChangeHandler(aws.clients(), Map.of(
                    EcsHookSettings.ENV_MESH, MESH, EcsHookSettings.ENV_CLUSTERS, CLUSTER, EcsHookSettings.ENV_PROXY_PORT, "8443"));

            invoke(handler, event("ecs/task-running.json", task));

            assertThat(tasks.instances(MESH, "orders")).singleElement()
                    .satisfies(i -> assertThat(i.attributes()).containsEntry(CloudMapAttributes.PORT, "8443"));
        }
    }

    @Nested
    class DuplicateAndStaleEvents {

        @Test
        void givenAHandledEvent_whenDeliveredAgain_thenOneInstanceRemains() {
            Task task = tasks.run(CLUSTER, MESH, "orders", "v1");
            EcsTaskStateChangeHandler handler = newHandler();
            invoke(handler, event("ecs/task-running.json", task));

            JsonNode again = invoke(handler, event("ecs/task-running.json", task));
            JsonNode elsewhere = invoke(newHandler(), event("ecs/task-running.json", task));

            assertThat(again.path("action").asText()).isEqualTo("IGNORED_STALE");
            assertThat(elsewhere.path("action").asText()).isEqualTo("UNCHANGED");
            assertThat(tasks.instances(MESH, "orders")).hasSize(1);
        }

        @Test
        void givenAStoppingTask_whenALateRunningEventArrivesAfterTheStop_thenItIsNotRegisteredAgain() {
            Task task = tasks.run(CLUSTER, MESH, "orders", "v1");
            EcsTaskStateChangeHandler handler = newHandler();
            invoke(handler, event("ecs/task-running.json", task));
            invoke(handler, event("ecs/task-stopping.json", task));

            JsonNode late = invoke(handler, event("ecs/task-running.json", task));

            assertThat(late.path("action").asText()).isEqualTo("IGNORED_STALE");
            assertThat(tasks.instances(MESH, "orders")).isEmpty();
        }

        @Test
        void givenAStoppedTask_whenAFreshLambdaGetsALateRunningEvent_thenEcsSaysStoppedAndNothingIsRegistered() {
            Task task = tasks.run(CLUSTER, MESH, "orders", "v1");
            tasks.stop(CLUSTER, task.taskArn());

            JsonNode late = invoke(newHandler(), event("ecs/task-running.json", task));

            assertThat(late.path("action").asText()).isIn("UNCHANGED", "DEREGISTERED");
            assertThat(tasks.instances(MESH, "orders")).isEmpty();
        }

        @Test
        void givenTheStoppedEventBeforeTheStoppingOne_whenBothArrive_thenTheTaskStaysDeregistered() {
            Task task = tasks.run(CLUSTER, MESH, "orders", "v1");
            EcsTaskStateChangeHandler handler = newHandler();
            invoke(handler, event("ecs/task-running.json", task));

            JsonNode stopped = invoke(handler, event("ecs/task-stopped.json", task));
            JsonNode stopping = invoke(handler, event("ecs/task-stopping.json", task));

            assertThat(stopped.path("action").asText()).isEqualTo("DEREGISTERED");
            assertThat(stopping.path("action").asText()).isEqualTo("IGNORED_STALE");
            assertThat(tasks.instances(MESH, "orders")).isEmpty();
        }

        @Test
        void givenATaskOfAClusterTheHookDoesNotWatch_whenItsEventArrives_thenItIsIgnored() {
            Task task = tasks.run(CLUSTER, MESH, "orders", "v1");
            ObjectNode foreign = event("ecs/task-running.json", task);
            ((ObjectNode) foreign.path("detail")).put("clusterArn", "arn:aws:ecs:us-east-1:123456789012:cluster/staging");

            JsonNode answer = invoke(newHandler(), foreign);

            assertThat(answer.path("action").asText()).isEqualTo("IGNORED_OTHER_CLUSTER");
            assertThat(tasks.instances(MESH, "orders")).isEmpty();
        }
    }

    @Nested
    class MalformedEvents {

        @Test
        void givenInputThatIsNotJson_whenHandled_thenRejectedAndNothingIsTouched() {
            JsonNode answer = invoke(newHandler(), "{\"detail-type\": \"ECS Task State Change\", ");

            assertThat(answer.path("action").asText()).isEqualTo("REJECTED");
            assertThat(answer.path("detail").asText()).startsWith("(event): malformed JSON");
            assertThat(context.lines()).anyMatch(line -> line.startsWith("ecs task event rejected: (event): malformed JSON"));
        }

        @Test
        void givenAnEventWithoutItsTaskArn_whenHandled_thenRejectedNamingTheField() {
            Task task = tasks.run(CLUSTER, MESH, "orders", "v1");
            ObjectNode event = event("ecs/task-running.json", task);
            ((ObjectNode) event.path("detail")).remove("taskArn");

            JsonNode answer = invoke(newHandler(), event);

            assertThat(answer.path("action").asText()).isEqualTo("REJECTED");
            assertThat(answer.path("detail").asText()).startsWith("detail.taskArn: missing (expected: an ECS task ARN");
            assertThat(tasks.instances(MESH, "orders")).isEmpty();
        }

        @Test
        void givenAnotherKindOfEvent_whenHandled_thenRejectedNamingTheDetailType() {
            Task task = tasks.run(CLUSTER, MESH, "orders", "v1");
            ObjectNode event = event("ecs/task-running.json", task).put("detail-type", "ECS Container Instance State Change");

            JsonNode answer = invoke(newHandler(), event);

            assertThat(answer.path("detail").asText())
                    .isEqualTo("detail-type: \"ECS Container Instance State Change\" (expected: \"ECS Task State Change\")");
            assertThat(tasks.instances(MESH, "orders")).isEmpty();
        }

        @Test
        void givenNoMeshInTheEnvironment_whenTheHandlerIsBuilt_thenItFailsNamingTheVariable() {
            assertThatThrownBy(() -> new EcsTaskStateChangeHandler(aws.clients(), Map.of(EcsHookSettings.ENV_CLUSTERS, CLUSTER)))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("TRELLIS_MESH: missing (expected: the mesh name, such as shop)");
        }

        @Test
        void givenAPortOutOfRange_whenTheHandlerIsBuilt_thenItFailsNamingTheVariable() {
            assertThatThrownBy(() -> new EcsTaskStateChangeHandler(aws.clients(), Map.of(EcsHookSettings.ENV_MESH, MESH,
                    EcsHookSettings.ENV_CLUSTERS, CLUSTER, EcsHookSettings.ENV_PROXY_PORT, "70000")))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("TRELLIS_PROXY_PORT: \"70000\" (expected: 1..65535)");
        }
    }

    private EcsTaskStateChangeHandler newHandler() {
        return new EcsTaskStateChangeHandler(aws.clients(),
                Map.of(EcsHookSettings.ENV_MESH, MESH, EcsHookSettings.ENV_CLUSTERS, CLUSTER));
    }

    /** The fixture event, rewritten to name {@code task}: its ARN, cluster, ENI address and zone. */
    static ObjectNode event(String fixture, Task task) {
        ObjectNode event = EventJson.readObject(Fixtures.text(fixture));
        String ip = MeshTasks.privateIpv4(task);
        ((ArrayNode) event.path("resources")).removeAll().add(task.taskArn());
        ObjectNode detail = (ObjectNode) event.path("detail");
        detail.put("taskArn", task.taskArn()).put("clusterArn", task.clusterArn());
        for (JsonNode item : detail.path("attachments").path(0).path("details")) {
            if ("privateIPv4Address".equals(item.path("name").asText())) {
                ((ObjectNode) item).put("value", ip);
            }
        }
        ObjectNode container = (ObjectNode) detail.path("containers").path(0);
        container.put("taskArn", task.taskArn());
        ((ObjectNode) container.path("networkInterfaces").path(0)).put("privateIpv4Address", ip);
        return event;
    }

    private JsonNode invoke(EcsTaskStateChangeHandler handler, JsonNode event) {
        return invoke(handler, event.toString());
    }

    private JsonNode invoke(EcsTaskStateChangeHandler handler, String event) {
        ByteArrayOutputStream output = new ByteArrayOutputStream();
        handler.handleRequest(new ByteArrayInputStream(event.getBytes(StandardCharsets.UTF_8)), output, context);
        return EventJson.readObject(output.toString(StandardCharsets.UTF_8));
    }
}
