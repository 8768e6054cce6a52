package dev.trellis.testing.aws;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ecs.EcsClient;
import software.amazon.awssdk.services.ecs.model.LaunchType;

/** moto's ECS task state manager, as controller tests that watch tasks will drive it. */
@WithAwsEmulator
class EcsTaskTransitionTest {

    private static final String CLUSTER = "trellis";

    private EcsClient ecs;

    @BeforeEach
    void cluster(AwsEmulator aws) {
        aws.reset();
        ecs = aws.clients().ecs();
        ecs.createCluster(r -> r.clusterName(CLUSTER));
        ecs.registerTaskDefinition(r -> r.family("orders")
                .containerDefinitions(c -> c.name("app").image("orders:1").memory(128)));
    }

    @Test
    @DisplayName("GIVEN a manual transition of 3 describes per step WHEN a task is described 4 times THEN it stays RUNNING twice, then moves on")
    void manualTransitionHoldsTasks(AwsEmulator aws) {
        aws.setEcsTaskTransitionManual(3);

        assertThat(describeRepeatedly(runTask(), 4))
                .containsExactly("RUNNING", "RUNNING", "DEACTIVATING", "DEACTIVATING");
    }

    @Test
    @DisplayName("GIVEN the one-describe manual transition WHEN a task is described 3 times THEN it moves one step each time")
    void oneDescribePerStep(AwsEmulator aws) {
        aws.setEcsTaskTransitionManual();

        assertThat(describeRepeatedly(runTask(), 3))
                .containsExactly("DEACTIVATING", "STOPPING", "DEPROVISIONING");
    }

    @Test
    @DisplayName("GIVEN a manual transition of 5 describes WHEN reset() is called THEN moto's default (one step per describe) is back")
    void resetUndoesTheTransition(AwsEmulator aws) {
        aws.setEcsTaskTransitionManual(5);

        aws.reset();
        cluster(aws);

        assertThat(describeRepeatedly(runTask(), 1)).containsExactly("DEACTIVATING");
    }

    private String runTask() {
        return ecs.runTask(r -> r.cluster(CLUSTER).taskDefinition("orders").launchType(LaunchType.FARGATE))
                .tasks().get(0).taskArn();
    }

    private List<String> describeRepeatedly(String taskArn, int times) {
        List<String> statuses = new ArrayList<>();
        for (int i = 0; i < times; i++) {
            statuses.add(ecs.describeTasks(r -> r.cluster(CLUSTER).tasks(taskArn)).tasks().get(0).lastStatus());
        }
        return statuses;
    }
}
