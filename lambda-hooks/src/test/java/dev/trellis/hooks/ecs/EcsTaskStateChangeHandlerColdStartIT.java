package dev.trellis.hooks.ecs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trellis.hooks.coldstart.ColdStart;
import dev.trellis.testing.aws.AwsEmulator;
import dev.trellis.testing.aws.WithAwsEmulator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ecs.model.Task;

@WithAwsEmulator
class EcsTaskStateChangeHandlerColdStartIT {

    @Test
    void givenAFreshJvmOnTheLambdaJar_whenTheFirstRunningEventArrives_thenTheTaskIsRegisteredAndTheColdStartIsRecorded(AwsEmulator aws) {
        Map<String, String> environment = new HashMap<>(aws.environment());
        environment.put(EcsHookSettings.ENV_MESH, "shop");
        environment.put(EcsHookSettings.ENV_CLUSTERS, "prod");

        List<ColdStart.Figures> runs = ColdStart.measure(EcsTaskStateChangeHandler.class, () -> {
            aws.reset();
            aws.setEcsTaskTransitionManual(10_000);
            try (MeshTasks tasks = new MeshTasks(aws)) {
                tasks.createMesh("shop", "prod");
                Task task = tasks.run("prod", "shop", "orders", "v1");
                return EcsTaskStateChangeHandlerTest.event("ecs/task-running.json", task).toString();
            }
        }, environment);

        assertThat(runs).allSatisfy(run -> assertThat(run.answer().path("action").asText()).isEqualTo("REGISTERED"));
        try (MeshTasks tasks = new MeshTasks(aws)) {
            assertThat(tasks.instances("shop", "orders")).hasSize(1);
        }
    }
}
