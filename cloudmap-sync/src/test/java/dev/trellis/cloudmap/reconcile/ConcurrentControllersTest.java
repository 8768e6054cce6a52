package dev.trellis.cloudmap.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trellis.cloudmap.Workload;
import dev.trellis.cloudmap.ecs.EcsTaskSource;
import dev.trellis.cloudmap.ecs.EcsTaskStateChange;
import dev.trellis.cloudmap.registrar.CloudMapRegistrar;
import dev.trellis.cloudmap.testing.CloudMapFixture;
import dev.trellis.cloudmap.testing.EcsFixture;
import dev.trellis.cloudmap.testing.TaskEvents;
import dev.trellis.testing.aws.AwsEmulator;
import dev.trellis.testing.aws.WithAwsEmulator;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ecs.model.Task;
import software.amazon.awssdk.services.servicediscovery.model.InstanceSummary;

@WithAwsEmulator
class ConcurrentControllersTest {

    @Test
    @DisplayName("GIVEN two controllers and a Lambda acting at once on new and stopped tasks WHEN they are done and one more round runs THEN Cloud Map holds exactly the running tasks, once each")
    void concurrentWritersConverge(AwsEmulator aws) throws Exception {
        aws.setEcsTaskTransitionManual(10_000);
        String mesh = "conc";
        String cluster = "conc-cluster";
        CloudMapFixture cloudMap = new CloudMapFixture(aws);
        String namespaceId = cloudMap.createNamespace(mesh);
        List<Task> running = new ArrayList<>();
        List<Task> stopped = new ArrayList<>();
        try (EcsFixture ecs = new EcsFixture(aws)) {
            ecs.createCluster(cluster);
            String taskDefinition = ecs.registerPlainTaskDefinition("conc-app");
            for (int i = 0; i < 4; i++) {
                running.add(ecs.runMeshTask(cluster, taskDefinition, mesh, i % 2 == 0 ? "orders" : "payments", null));
                stopped.add(ecs.runMeshTask(cluster, taskDefinition, mesh, "orders", null));
            }
            CloudMapReconciler controllerA = CloudMapReconciler.forEcs(aws.clients(), mesh, cluster);
            CloudMapReconciler controllerB = CloudMapReconciler.forEcs(aws.clients(), mesh, cluster);
            controllerA.reconcile();
            stopped.forEach(task -> ecs.stopTask(cluster, task.taskArn()));
            for (int i = 0; i < 3; i++) { // started after the first round: registered concurrently below
                running.add(ecs.runMeshTask(cluster, taskDefinition, mesh, "payments", "v2"));
            }

            ExecutorService pool = Executors.newFixedThreadPool(4);
            try {
                List<Future<?>> work = new ArrayList<>();
                work.add(pool.submit((Callable<Object>) controllerA::reconcile));
                work.add(pool.submit((Callable<Object>) controllerB::reconcile));
                work.add(pool.submit(() -> {
                    CloudMapReconciler lambda = CloudMapReconciler.forEcs(aws.clients(), mesh, cluster);
                    stopped.forEach(task -> lambda.onTaskStateChange(
                            EcsTaskStateChange.parse(TaskEvents.event(task, "STOPPED", "STOPPED", 9))));
                    running.forEach(task -> lambda.onTaskStateChange(
                            EcsTaskStateChange.parse(TaskEvents.event(task, "RUNNING", "RUNNING", 3))));
                }));
                for (Future<?> future : work) {
                    future.get();
                }
            } finally {
                pool.shutdownNow();
            }
            controllerB.reconcile(); // anti-entropy repairs whatever a race left (emulators duplicate on concurrent register)
        }

        List<String> registered = new ArrayList<>();
        for (String service : List.of("orders", "payments")) {
            assertThat(cloudMap.services(namespaceId, service)).hasSize(1);
            cloudMap.instances(cloudMap.serviceId(namespaceId, service)).stream().map(InstanceSummary::id).forEach(registered::add);
        }
        assertThat(registered).containsExactlyInAnyOrderElementsOf(
                running.stream().map(t -> Workload.ecsTaskId(t.taskArn())).toList());
    }
}
