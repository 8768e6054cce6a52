package dev.trellis.cloudmap.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trellis.cloudmap.Workload;
import dev.trellis.cloudmap.ecs.EcsTaskApi;
import dev.trellis.cloudmap.ecs.EcsTaskSource;
import dev.trellis.cloudmap.ecs.EcsTaskStateChange;
import dev.trellis.cloudmap.reconcile.EventOutcome.Action;
import dev.trellis.cloudmap.registrar.CloudMapRegistrar;
import dev.trellis.cloudmap.testing.CloudMapFixture;
import dev.trellis.cloudmap.testing.EcsFixture;
import dev.trellis.cloudmap.testing.EmulatedMesh;
import dev.trellis.cloudmap.testing.ScriptedEcsTaskApi;
import dev.trellis.cloudmap.testing.TaskEvents;
import dev.trellis.testing.aws.AwsEmulator;
import dev.trellis.testing.aws.WithAwsEmulator;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import software.amazon.awssdk.services.ecs.model.Task;
import software.amazon.awssdk.services.servicediscovery.model.InstanceSummary;

/** Task health and ECS failures, which moto does not produce itself: see {@link ScriptedEcsTaskApi}. */
@WithAwsEmulator
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HealthAndPartialFailureTest {

    private final AwsEmulator aws;
    private final CloudMapFixture cloudMap;
    private final EcsFixture ecs;
    private EmulatedMesh given;
    private ScriptedEcsTaskApi ecsApi;
    private CloudMapReconciler reconciler;

    HealthAndPartialFailureTest(AwsEmulator aws) {
        this.aws = aws;
        this.cloudMap = new CloudMapFixture(aws);
        this.ecs = new EcsFixture(aws);
    }

    @AfterAll
    void closeFixture() {
        ecs.close();
    }

    @BeforeEach
    void newMesh() {
        given = EmulatedMesh.create(aws, cloudMap, ecs, "hpf");
        ecsApi = new ScriptedEcsTaskApi(EcsTaskApi.of(aws.clients().ecs()));
        reconciler = CloudMapReconciler.builder()
                .registrar(CloudMapRegistrar.of(aws.clients().serviceDiscovery()))
                .tasks(EcsTaskSource.builder().api(ecsApi).mesh(given.mesh()).clusters(given.cluster()).build())
                .build();
    }

    private List<InstanceSummary> orders() {
        return cloudMap.services(given.namespaceId(), "orders").isEmpty() ? List.of()
                : cloudMap.instances(cloudMap.serviceId(given.namespaceId(), "orders"));
    }

    private String health(Task task) {
        return cloudMap.health(cloudMap.serviceId(given.namespaceId(), "orders")).get(Workload.ecsTaskId(task.taskArn()));
    }

    @Test
    @DisplayName("GIVEN a RUNNING task that ECS reports UNHEALTHY WHEN reconciled THEN it is not registered until it is healthy")
    void unhealthyTaskWaits() {
        Task task = ecs.runMeshTask(given.cluster(), given.taskDefinition(), given.mesh(), "orders", null);
        ecsApi.reportHealth(task.taskArn(), "UNHEALTHY");

        ReconcileResult whileUnhealthy = reconciler.reconcile();

        assertThat(whileUnhealthy.waiting()).isEqualTo(1);
        assertThat(orders()).isEmpty();

        ecsApi.reportHealth(task.taskArn(), "HEALTHY");
        reconciler.reconcile();

        assertThat(orders()).hasSize(1);
        assertThat(health(task)).isEqualTo("HEALTHY");
    }

    @Test
    @DisplayName("GIVEN a registered task WHEN ECS reports it UNHEALTHY and later HEALTHY THEN its Cloud Map health follows, and the instance stays")
    void healthFollowsTheTask() {
        Task task = ecs.runMeshTask(given.cluster(), given.taskDefinition(), given.mesh(), "orders", null);
        reconciler.reconcile();

        ecsApi.reportHealth(task.taskArn(), "UNHEALTHY");
        ReconcileResult turnedUnhealthy = reconciler.reconcile();

        assertThat(turnedUnhealthy.healthChanged()).isEqualTo(1);
        assertThat(health(task)).isEqualTo("UNHEALTHY");
        assertThat(orders()).hasSize(1);

        ecsApi.reportHealth(task.taskArn(), "HEALTHY");
        ReconcileResult recovered = reconciler.reconcile();

        assertThat(recovered.healthChanged()).isEqualTo(1);
        assertThat(health(task)).isEqualTo("HEALTHY");
    }

    @Test
    @DisplayName("GIVEN a registered task WHEN an event reports it UNHEALTHY THEN its instance is marked UNHEALTHY at once")
    void unhealthyEventMarksTheInstance() {
        Task task = ecs.runMeshTask(given.cluster(), given.taskDefinition(), given.mesh(), "orders", null);
        reconciler.reconcile();
        ecsApi.reportHealth(task.taskArn(), "UNHEALTHY");

        EventOutcome outcome = reconciler.onTaskStateChange(EcsTaskStateChange.parse(
                TaskEvents.event(task, "RUNNING", "RUNNING", 7).replace("\"group\"", "\"healthStatus\": \"UNHEALTHY\", \"group\"")));

        assertThat(outcome.action()).isEqualTo(Action.HEALTH_CHANGED);
        assertThat(health(task)).isEqualTo("UNHEALTHY");
    }

    @Test
    @DisplayName("GIVEN ListTasks fails for the cluster WHEN reconciled THEN the round is incomplete, the failure is retryable, and no registered task is removed")
    void failedScanRemovesNothing() {
        Task task = ecs.runMeshTask(given.cluster(), given.taskDefinition(), given.mesh(), "orders", null);
        reconciler.reconcile();
        ecsApi.failListing(given.cluster(), 1);

        ReconcileResult failed = reconciler.reconcile();

        assertThat(failed.complete()).isFalse();
        assertThat(failed.deregistered()).isZero();
        assertThat(failed.failures()).singleElement().satisfies(f -> {
            assertThat(f.step()).isEqualTo("scan-cluster");
            assertThat(f.retryable()).isTrue();
        });
        assertThat(orders()).extracting(InstanceSummary::id).containsExactly(Workload.ecsTaskId(task.taskArn()));

        ReconcileResult next = reconciler.reconcile();

        assertThat(next.succeeded()).isTrue();
        assertThat(next.changed()).isFalse();
    }
}
