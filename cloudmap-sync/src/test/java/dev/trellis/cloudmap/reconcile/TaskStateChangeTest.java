package dev.trellis.cloudmap.reconcile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.trellis.cloudmap.Workload;
import dev.trellis.cloudmap.ecs.EcsTaskSource;
import dev.trellis.cloudmap.ecs.EcsTaskStateChange;
import dev.trellis.cloudmap.reconcile.EventOutcome.Action;
import dev.trellis.cloudmap.registrar.CloudMapApi;
import dev.trellis.cloudmap.registrar.CloudMapRegistrar;
import dev.trellis.cloudmap.testing.CloudMapFixture;
import dev.trellis.cloudmap.testing.EcsFixture;
import dev.trellis.cloudmap.testing.EmulatedMesh;
import dev.trellis.cloudmap.testing.TaskEvents;
import dev.trellis.cloudmap.testing.ThrottlingCloudMapApi;
import dev.trellis.naming.CloudMapAttributes;
import dev.trellis.testing.aws.AwsEmulator;
import dev.trellis.testing.aws.WithAwsEmulator;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import software.amazon.awssdk.services.ecs.model.Task;
import software.amazon.awssdk.services.servicediscovery.model.InstanceSummary;
import software.amazon.awssdk.services.servicediscovery.model.ServiceDiscoveryException;

@WithAwsEmulator
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TaskStateChangeTest {

    private final AwsEmulator aws;
    private final CloudMapFixture cloudMap;
    private final EcsFixture ecs;
    private EmulatedMesh given;

    TaskStateChangeTest(AwsEmulator aws) {
        this.aws = aws;
        this.cloudMap = new CloudMapFixture(aws);
        this.ecs = new EcsFixture(aws);
    }

    @AfterAll
    void closeFixture() {
        ecs.close();
    }

    @BeforeEach
    void newMeshAndCluster() {
        given = EmulatedMesh.create(aws, cloudMap, ecs, "evt");
    }

    /** A reconciler as a Lambda would build it: a fresh process with no memory of earlier events. */
    private CloudMapReconciler freshReconciler() {
        return freshReconciler(CloudMapApi.of(aws.clients().serviceDiscovery()));
    }

    private CloudMapReconciler freshReconciler(CloudMapApi api) {
        return CloudMapReconciler.builder()
                .registrar(CloudMapRegistrar.builder().api(api).build())
                .tasks(EcsTaskSource.builder().client(aws.clients().ecs()).mesh(given.mesh()).clusters(given.cluster()).build())
                .eventBackoff(Backoff.exponential(Duration.ofMillis(1), Duration.ofMillis(5)))
                .build();
    }

    private List<InstanceSummary> orders() {
        return cloudMap.services(given.namespaceId(), "orders").isEmpty() ? List.of()
                : cloudMap.instances(cloudMap.serviceId(given.namespaceId(), "orders"));
    }

    private static EcsTaskStateChange change(Task task, String lastStatus, String desiredStatus, long version) {
        return EcsTaskStateChange.parse(TaskEvents.event(task, lastStatus, desiredStatus, version));
    }

    @Test
    @DisplayName("GIVEN a RUNNING mesh task WHEN its RUNNING event arrives THEN it is registered with the ENI address")
    void runningEventRegisters() {
        Task task = ecs.runMeshTask(given.cluster(), given.taskDefinition(), given.mesh(), "orders", "v3");

        EventOutcome outcome = freshReconciler().onTaskStateChange(change(task, "RUNNING", "RUNNING", 2));

        assertThat(outcome.action()).isEqualTo(Action.REGISTERED);
        assertThat(orders()).singleElement().satisfies(i -> assertThat(i.attributes())
                .containsEntry(CloudMapAttributes.IPV4, EcsFixture.privateIpv4(task))
                .containsEntry(CloudMapAttributes.VERSION, "v3"));
    }

    @Test
    @DisplayName("GIVEN a handled event WHEN the same event is delivered again THEN it is ignored as stale and one record remains")
    void duplicateEventIsIgnored() {
        Task task = ecs.runMeshTask(given.cluster(), given.taskDefinition(), given.mesh(), "orders", null);
        CloudMapReconciler reconciler = freshReconciler();
        String event = TaskEvents.event(task, "RUNNING", "RUNNING", 2);
        reconciler.onTaskStateChange(EcsTaskStateChange.parse(event));

        EventOutcome again = reconciler.onTaskStateChange(EcsTaskStateChange.parse(event));

        assertThat(again.action()).isEqualTo(Action.IGNORED_STALE);
        assertThat(orders()).hasSize(1);
    }

    @Test
    @DisplayName("GIVEN a duplicate delivered to another process WHEN handled THEN Cloud Map is unchanged and one record remains")
    void duplicateInAnotherProcessIsHarmless() {
        Task task = ecs.runMeshTask(given.cluster(), given.taskDefinition(), given.mesh(), "orders", null);
        freshReconciler().onTaskStateChange(change(task, "RUNNING", "RUNNING", 2));

        EventOutcome again = freshReconciler().onTaskStateChange(change(task, "RUNNING", "RUNNING", 2));

        assertThat(again.action()).isEqualTo(Action.UNCHANGED);
        assertThat(orders()).hasSize(1);
    }

    @Test
    @DisplayName("GIVEN a registered task WHEN a DEACTIVATING event arrives (desired still RUNNING) THEN it is deregistered at once")
    void stoppingEventDeregistersAtOnce() {
        Task task = ecs.runMeshTask(given.cluster(), given.taskDefinition(), given.mesh(), "orders", null);
        CloudMapReconciler reconciler = freshReconciler();
        reconciler.onTaskStateChange(change(task, "RUNNING", "RUNNING", 2));

        EventOutcome outcome = reconciler.onTaskStateChange(change(task, "DEACTIVATING", "RUNNING", 3));

        assertThat(outcome.action()).isEqualTo(Action.DEREGISTERED);
        assertThat(orders()).isEmpty();
    }

    @Test
    @DisplayName("GIVEN a STOPPED event handled WHEN an older RUNNING event arrives late THEN it is ignored and the task is not registered again")
    void lateRunningAfterStoppedIsIgnored() {
        Task task = ecs.runMeshTask(given.cluster(), given.taskDefinition(), given.mesh(), "orders", null);
        CloudMapReconciler reconciler = freshReconciler();
        reconciler.onTaskStateChange(change(task, "RUNNING", "RUNNING", 2));
        ecs.stopTask(given.cluster(), task.taskArn());
        reconciler.onTaskStateChange(change(task, "STOPPED", "STOPPED", 5));

        EventOutcome late = reconciler.onTaskStateChange(change(task, "RUNNING", "RUNNING", 3));

        assertThat(late.action()).isEqualTo(Action.IGNORED_STALE);
        assertThat(orders()).isEmpty();
    }

    @Test
    @DisplayName("GIVEN a stopped task WHEN a late RUNNING event reaches a process that never saw the stop THEN ECS's current state wins and nothing is registered")
    void lateRunningInAFreshProcessDoesNotRegister() {
        Task task = ecs.runMeshTask(given.cluster(), given.taskDefinition(), given.mesh(), "orders", null);
        ecs.stopTask(given.cluster(), task.taskArn());

        EventOutcome late = freshReconciler().onTaskStateChange(change(task, "RUNNING", "RUNNING", 2));

        assertThat(late.action()).isIn(Action.UNCHANGED, Action.DEREGISTERED);
        assertThat(orders()).isEmpty();
    }

    @Test
    @DisplayName("GIVEN a task seen stopping WHEN an event without a version says RUNNING THEN it is ignored")
    void stoppingIsStickyWithoutVersions() {
        Task task = ecs.runMeshTask(given.cluster(), given.taskDefinition(), given.mesh(), "orders", null);
        CloudMapReconciler reconciler = freshReconciler();
        reconciler.onTaskStateChange(change(task, "STOPPING", "STOPPED", 4));
        String noVersion = TaskEvents.event(task, "RUNNING", "RUNNING", 9).replaceAll("\"version\": 9", "\"version\": null");

        EventOutcome outcome = reconciler.onTaskStateChange(EcsTaskStateChange.parse(noVersion));

        assertThat(outcome.action()).isEqualTo(Action.IGNORED_STALE);
        assertThat(orders()).isEmpty();
    }

    @Test
    @DisplayName("GIVEN events from an unwatched cluster and of a task outside the mesh WHEN handled THEN they are ignored and Cloud Map is untouched")
    void foreignEventsAreIgnored() {
        Task foreign = ecs.runTask(given.cluster(), given.taskDefinition(), Map.of("team", "x"));
        String otherCluster = TaskEvents.event(foreign.taskArn(), "arn:aws:ecs:us-east-1:123456789012:cluster/elsewhere",
                "10.9.9.9", "RUNNING", "RUNNING", 1);

        EventOutcome notWatched = freshReconciler().onTaskStateChange(EcsTaskStateChange.parse(otherCluster));
        EventOutcome notInMesh = freshReconciler().onTaskStateChange(change(foreign, "RUNNING", "RUNNING", 2));

        assertThat(notWatched.action()).isEqualTo(Action.IGNORED_OTHER_CLUSTER);
        assertThat(notInMesh.action()).isEqualTo(Action.IGNORED_NOT_IN_MESH);
        assertThat(cloudMap.services(given.namespaceId(), "orders")).isEmpty();
    }

    @Test
    @DisplayName("GIVEN a malformed event WHEN it is parsed THEN it is refused before any AWS call and a registered task stays registered")
    void malformedEventDoesNoDamage() {
        Task task = ecs.runMeshTask(given.cluster(), given.taskDefinition(), given.mesh(), "orders", null);
        freshReconciler().onTaskStateChange(change(task, "RUNNING", "RUNNING", 2));
        String broken = TaskEvents.event(task, "STOPPED", "STOPPED", 3).replace("\"taskArn\": \"", "\"taskArn\": \"x");

        assertThatThrownBy(() -> EcsTaskStateChange.parse(broken)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("detail.taskArn: \"xarn:aws:ecs");
        assertThat(orders()).singleElement().satisfies(i -> assertThat(i.id()).isEqualTo(Workload.ecsTaskId(task.taskArn())));
    }

    @Test
    @DisplayName("GIVEN Cloud Map throttles twice WHEN a RUNNING event is handled THEN it backs off, retries and registers once")
    void throttledEventIsRetried() {
        Task task = ecs.runMeshTask(given.cluster(), given.taskDefinition(), given.mesh(), "orders", null);
        ThrottlingCloudMapApi throttling = new ThrottlingCloudMapApi(CloudMapApi.of(aws.clients().serviceDiscovery()));
        CloudMapReconciler reconciler = freshReconciler(throttling);
        throttling.throttleNextWrites(2);

        EventOutcome outcome = reconciler.onTaskStateChange(change(task, "RUNNING", "RUNNING", 2));

        assertThat(outcome.action()).isEqualTo(Action.REGISTERED);
        assertThat(throttling.throttledCalls()).isEqualTo(2);
        assertThat(orders()).hasSize(1);
    }

    @Test
    @DisplayName("GIVEN Cloud Map keeps throttling WHEN an event is handled THEN the throttling error is thrown (so EventBridge redelivers) and the redelivery registers")
    void persistentThrottlingFailsTheEventForRedelivery() {
        Task task = ecs.runMeshTask(given.cluster(), given.taskDefinition(), given.mesh(), "orders", null);
        ThrottlingCloudMapApi throttling = new ThrottlingCloudMapApi(CloudMapApi.of(aws.clients().serviceDiscovery()));
        CloudMapReconciler reconciler = freshReconciler(throttling);
        throttling.throttleNextWrites(100);
        String event = TaskEvents.event(task, "RUNNING", "RUNNING", 2);

        assertThatThrownBy(() -> reconciler.onTaskStateChange(EcsTaskStateChange.parse(event)))
                .isInstanceOf(ServiceDiscoveryException.class)
                .satisfies(e -> assertThat(((ServiceDiscoveryException) e).isThrottlingException()).isTrue());
        assertThat(throttling.throttledCalls()).isEqualTo(4); // the default four attempts

        throttling.throttleNextWrites(0);
        EventOutcome redelivered = reconciler.onTaskStateChange(EcsTaskStateChange.parse(event));

        assertThat(redelivered.action()).isEqualTo(Action.REGISTERED);
        assertThat(orders()).hasSize(1);
    }

    @Test
    @DisplayName("GIVEN a task registered by an event WHEN the full reconcile runs THEN it agrees and changes nothing")
    void eventAndReconcileAgree() {
        Task task = ecs.runMeshTask(given.cluster(), given.taskDefinition(), given.mesh(), "orders", null);
        CloudMapReconciler reconciler = freshReconciler();
        reconciler.onTaskStateChange(change(task, "RUNNING", "RUNNING", 2));

        ReconcileResult result = reconciler.reconcile();

        assertThat(result.changed()).isFalse();
        assertThat(result.unchanged()).isEqualTo(1);
        assertThat(orders()).hasSize(1);
    }
}
