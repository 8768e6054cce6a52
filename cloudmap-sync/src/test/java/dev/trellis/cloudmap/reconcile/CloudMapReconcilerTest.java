package dev.trellis.cloudmap.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trellis.cloudmap.Workload;
import dev.trellis.cloudmap.ecs.EcsTaskSource;
import dev.trellis.cloudmap.registrar.CloudMapApi;
import dev.trellis.cloudmap.registrar.CloudMapRegistrar;
import dev.trellis.cloudmap.testing.CloudMapFixture;
import dev.trellis.cloudmap.testing.EcsFixture;
import dev.trellis.cloudmap.testing.EmulatedMesh;
import dev.trellis.cloudmap.testing.ThrottlingCloudMapApi;
import dev.trellis.naming.CloudMapAttributes;
import dev.trellis.naming.WorkloadLabels;
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

@WithAwsEmulator
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CloudMapReconcilerTest {

    private final AwsEmulator aws;
    private final CloudMapFixture cloudMap;
    private final EcsFixture ecs;
    private EmulatedMesh given;

    CloudMapReconcilerTest(AwsEmulator aws) {
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
        given = EmulatedMesh.create(aws, cloudMap, ecs, "rec");
    }

    private CloudMapReconciler reconciler() {
        return reconciler(CloudMapApi.of(aws.clients().serviceDiscovery()));
    }

    private CloudMapReconciler reconciler(CloudMapApi api) {
        return CloudMapReconciler.builder()
                .registrar(CloudMapRegistrar.builder().api(api).build())
                .tasks(EcsTaskSource.builder().client(aws.clients().ecs()).mesh(given.mesh()).clusters(given.cluster()).build())
                .build();
    }

    private List<InstanceSummary> instancesOf(String service) {
        return cloudMap.services(given.namespaceId(), service).isEmpty() ? List.of()
                : cloudMap.instances(cloudMap.serviceId(given.namespaceId(), service));
    }

    @Test
    @DisplayName("GIVEN a RUNNING task tagged for the mesh WHEN reconciled THEN Cloud Map holds it with its ENI address, port 15000, version, task ARN and kind")
    void runningTaskAppears() {
        Task task = ecs.runMeshTask(given.cluster(), given.taskDefinition(), given.mesh(), "orders", "v2");

        ReconcileResult result = reconciler().reconcile();

        assertThat(result.registered()).isEqualTo(1);
        assertThat(result.succeeded()).isTrue();
        assertThat(instancesOf("orders")).singleElement().satisfies(instance -> {
            assertThat(instance.id()).isEqualTo(Workload.ecsTaskId(task.taskArn()));
            assertThat(instance.attributes())
                    .containsEntry(CloudMapAttributes.IPV4, EcsFixture.privateIpv4(task))
                    .containsEntry(CloudMapAttributes.PORT, "15000")
                    .containsEntry(CloudMapAttributes.MESH, given.mesh())
                    .containsEntry(CloudMapAttributes.VERSION, "v2")
                    .containsEntry(CloudMapAttributes.WORKLOAD, task.taskArn())
                    .containsEntry(CloudMapAttributes.WORKLOAD_KIND, "ecs-task");
        });
    }

    @Test
    @DisplayName("GIVEN an untagged task whose proxy container sets TRELLIS_MESH/SERVICE/VERSION WHEN reconciled THEN it is registered from that environment")
    void membershipFromProxyEnvironment() {
        String proxied = ecs.registerTaskDefinition(given.mesh() + "-payments", Map.of(WorkloadLabels.ENV_MESH, given.mesh(),
                WorkloadLabels.ENV_SERVICE, "payments", WorkloadLabels.ENV_VERSION, "v7"));
        ecs.runTask(given.cluster(), proxied, Map.of());

        reconciler().reconcile();

        assertThat(instancesOf("payments")).singleElement()
                .satisfies(i -> assertThat(i.attributes()).containsEntry(CloudMapAttributes.VERSION, "v7"));
    }

    @Test
    @DisplayName("GIVEN tasks of another mesh and without labels WHEN reconciled THEN nothing is registered for them")
    void foreignTasksAreIgnored() {
        ecs.runMeshTask(given.cluster(), given.taskDefinition(), "othermesh", "orders", null);
        ecs.runTask(given.cluster(), given.taskDefinition(), Map.of("team", "x"));

        ReconcileResult result = reconciler().reconcile();

        assertThat(result.changed()).isFalse();
        assertThat(cloudMap.services(given.namespaceId(), "orders")).isEmpty();
    }

    @Test
    @DisplayName("GIVEN a registered task WHEN it is stopped and the mesh reconciled THEN its instance disappears and the other task's stays")
    void stoppedTaskDisappears() {
        Task stays = ecs.runMeshTask(given.cluster(), given.taskDefinition(), given.mesh(), "orders", null);
        Task stops = ecs.runMeshTask(given.cluster(), given.taskDefinition(), given.mesh(), "orders", null);
        CloudMapReconciler reconciler = reconciler();
        reconciler.reconcile();
        assertThat(instancesOf("orders")).hasSize(2);

        ecs.stopTask(given.cluster(), stops.taskArn());
        ReconcileResult result = reconciler.reconcile();

        assertThat(result.deregistered()).isEqualTo(1);
        assertThat(instancesOf("orders")).extracting(InstanceSummary::id)
                .containsExactly(Workload.ecsTaskId(stays.taskArn()));
    }

    @Test
    @DisplayName("GIVEN a task that begins to stop (DEACTIVATING, desired still RUNNING) WHEN reconciled THEN it is deregistered at once")
    void drainingTaskIsDeregistered() {
        aws.setEcsTaskTransitionManual(2); // one lifecycle step per two DescribeTasks
        ecs.runMeshTask(given.cluster(), given.taskDefinition(), given.mesh(), "orders", null);
        CloudMapReconciler reconciler = reconciler();
        reconciler.reconcile(); // describe 1: RUNNING
        assertThat(instancesOf("orders")).hasSize(1);

        ReconcileResult result = reconciler.reconcile(); // describe 2 and 3: DEACTIVATING

        assertThat(result.deregistered()).isEqualTo(1);
        assertThat(instancesOf("orders")).isEmpty();
    }

    @Test
    @DisplayName("GIVEN a reconciled mesh WHEN reconciled twice more THEN nothing changes and every task has exactly one record")
    void reconcileIsIdempotent() {
        ecs.runMeshTask(given.cluster(), given.taskDefinition(), given.mesh(), "orders", null);
        ecs.runMeshTask(given.cluster(), given.taskDefinition(), given.mesh(), "orders", null);
        ecs.runMeshTask(given.cluster(), given.taskDefinition(), given.mesh(), "payments", null);
        CloudMapReconciler reconciler = reconciler();
        reconciler.reconcile();

        ReconcileResult second = reconciler.reconcile();
        ReconcileResult third = reconciler.reconcile();

        assertThat(second.changed()).isFalse();
        assertThat(third.changed()).isFalse();
        assertThat(third.unchanged()).isEqualTo(3);
        assertThat(instancesOf("orders")).hasSize(2).extracting(InstanceSummary::id).doesNotHaveDuplicates();
        assertThat(instancesOf("payments")).hasSize(1);
        assertThat(cloudMap.services(given.namespaceId(), "orders")).hasSize(1);
    }

    @Test
    @DisplayName("GIVEN one controller reconciled WHEN a second controller (own registrar, source and reconciler) reconciles THEN it changes nothing, and after a stop either one converges to the same state")
    void secondControllerConverges() {
        Task first = ecs.runMeshTask(given.cluster(), given.taskDefinition(), given.mesh(), "orders", null);
        Task second = ecs.runMeshTask(given.cluster(), given.taskDefinition(), given.mesh(), "orders", null);
        CloudMapReconciler controllerA = reconciler();
        CloudMapReconciler controllerB = reconciler();
        controllerA.reconcile();
        Map<String, Map<String, String>> afterA = cloudMap.attributesById(cloudMap.serviceId(given.namespaceId(), "orders"));

        ReconcileResult byB = controllerB.reconcile();

        assertThat(byB.changed()).isFalse();
        assertThat(cloudMap.attributesById(cloudMap.serviceId(given.namespaceId(), "orders"))).isEqualTo(afterA);

        ecs.stopTask(given.cluster(), first.taskArn());
        assertThat(controllerB.reconcile().deregistered()).isEqualTo(1);
        assertThat(controllerA.reconcile().changed()).isFalse();
        assertThat(instancesOf("orders")).extracting(InstanceSummary::id).containsExactly(Workload.ecsTaskId(second.taskArn()));
    }

    @Test
    @DisplayName("GIVEN Cloud Map throttles the first writes WHEN the mesh is reconciled THEN the round reports retryable failures and the next round registers every task once")
    void throttlingIsRetriedNextRound() {
        for (int i = 0; i < 3; i++) {
            ecs.runMeshTask(given.cluster(), given.taskDefinition(), given.mesh(), "orders", null);
        }
        ThrottlingCloudMapApi throttling = new ThrottlingCloudMapApi(CloudMapApi.of(aws.clients().serviceDiscovery()));
        CloudMapReconciler reconciler = reconciler(throttling);
        reconciler.reconcile(); // creates the service; nothing throttled yet
        aws.clients().serviceDiscovery(); // same emulator state
        // Remove what the first round registered, then throttle the next two writes.
        cloudMap.instances(cloudMap.serviceId(given.namespaceId(), "orders")).forEach(i -> cloudMap.client()
                .deregisterInstance(r -> r.serviceId(cloudMap.serviceId(given.namespaceId(), "orders")).instanceId(i.id())));
        throttling.throttleNextWrites(2);

        ReconcileResult throttled = reconciler.reconcile();
        ReconcileResult next = reconciler.reconcile();

        assertThat(throttled.failures()).hasSize(2).allSatisfy(f -> {
            assertThat(f.step()).isEqualTo("register");
            assertThat(f.retryable()).isTrue();
            assertThat(f.error()).startsWith("ThrottlingException");
        });
        assertThat(throttled.registered()).isEqualTo(1);
        assertThat(throttled.retryableFailures()).isTrue();
        assertThat(next.registered()).isEqualTo(2);
        assertThat(next.succeeded()).isTrue();
        assertThat(instancesOf("orders")).hasSize(3).extracting(InstanceSummary::id).doesNotHaveDuplicates();
    }

    @Test
    @DisplayName("GIVEN the loop runs and Cloud Map throttles WHEN rounds fail THEN the loop backs off and retries until every task is registered")
    void loopRetriesWithBackoff() throws InterruptedException {
        ecs.runMeshTask(given.cluster(), given.taskDefinition(), given.mesh(), "orders", null);
        ecs.runMeshTask(given.cluster(), given.taskDefinition(), given.mesh(), "orders", null);
        ThrottlingCloudMapApi throttling = new ThrottlingCloudMapApi(CloudMapApi.of(aws.clients().serviceDiscovery()));
        throttling.throttleNextWrites(5);

        try (ReconcileLoop loop = ReconcileLoop.builder(reconciler(throttling))
                .interval(Duration.ofSeconds(30))
                .backoff(Backoff.exponential(Duration.ofMillis(20), Duration.ofMillis(200)))
                .start()) {
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (instancesOf("orders").size() < 2 && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertThat(throttling.throttledCalls()).isEqualTo(5);
            assertThat(loop.rounds()).isGreaterThanOrEqualTo(2);
        }
        assertThat(instancesOf("orders")).hasSize(2).extracting(InstanceSummary::id).doesNotHaveDuplicates();
    }

    @Test
    @DisplayName("GIVEN instances of EKS pods and of another mesh in the same Cloud Map service WHEN reconciled THEN they are left alone")
    void leavesForeignInstancesAlone() {
        CloudMapRegistrar registrar = CloudMapRegistrar.of(aws.clients().serviceDiscovery());
        Workload pod = Workload.builder().mesh(given.mesh()).service("orders").address("10.1.1.1").eksPod("team", "orders-1").build();
        registrar.register(pod);
        String serviceId = cloudMap.serviceId(given.namespaceId(), "orders");
        cloudMap.client().registerInstance(r -> r.serviceId(serviceId).instanceId("other-cluster-task")
                .attributes(Map.of(CloudMapAttributes.IPV4, "10.2.2.2", CloudMapAttributes.MESH, given.mesh(),
                        CloudMapAttributes.WORKLOAD_KIND, "ecs-task",
                        CloudMapAttributes.WORKLOAD, "arn:aws:ecs:us-east-1:123456789012:task/elsewhere/abc")));

        ReconcileResult result = reconciler().reconcile();

        assertThat(result.changed()).isFalse();
        assertThat(instancesOf("orders")).extracting(InstanceSummary::id)
                .containsExactlyInAnyOrder(pod.instanceId(), "other-cluster-task");
    }

    @Test
    @DisplayName("GIVEN an instance of a task that no longer exists in a watched cluster WHEN reconciled THEN it is removed as gone")
    void removesInstancesOfVanishedTasks() {
        CloudMapRegistrar registrar = CloudMapRegistrar.of(aws.clients().serviceDiscovery());
        String ghostArn = "arn:aws:ecs:us-east-1:123456789012:task/" + given.cluster() + "/0000aaaa1111bbbb2222cccc3333dddd";
        registrar.register(Workload.builder().mesh(given.mesh()).service("orders").address("10.3.3.3").ecsTask(ghostArn).build());

        ReconcileResult result = reconciler().reconcile();

        assertThat(result.deregistered()).isEqualTo(1);
        assertThat(instancesOf("orders")).isEmpty();
    }

    @Test
    @DisplayName("GIVEN a task whose record an emulator duplicated WHEN reconciled THEN exactly one record remains")
    void repairsDuplicateRecords() {
        Task task = ecs.runMeshTask(given.cluster(), given.taskDefinition(), given.mesh(), "orders", null);
        CloudMapReconciler reconciler = reconciler();
        reconciler.reconcile();
        String serviceId = cloudMap.serviceId(given.namespaceId(), "orders");
        InstanceSummary record = cloudMap.instances(serviceId).get(0);
        cloudMap.client().registerInstance(r -> r.serviceId(serviceId).instanceId(record.id()).attributes(record.attributes()));
        assertThat(cloudMap.instances(serviceId)).hasSize(2);

        reconciler.reconcile();

        assertThat(cloudMap.instances(serviceId)).singleElement()
                .satisfies(i -> assertThat(i.id()).isEqualTo(Workload.ecsTaskId(task.taskArn())));
    }
}
