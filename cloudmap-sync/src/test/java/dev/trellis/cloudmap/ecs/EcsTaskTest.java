package dev.trellis.cloudmap.ecs;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class EcsTaskTest {

    private static EcsTask task(String lastStatus, String desiredStatus, String health) {
        return new EcsTask("arn:aws:ecs:us-east-1:123456789012:task/prod/abc", "arn:aws:ecs:us-east-1:123456789012:cluster/prod",
                null, lastStatus, desiredStatus, Optional.ofNullable(health), Optional.empty(), Optional.of("10.0.0.1"),
                Map.of(), Optional.empty());
    }

    @ParameterizedTest(name = "lastStatus={0} desiredStatus={1} -> running={2} stopping={3}")
    @CsvSource({
            "PROVISIONING, RUNNING, false, false",
            "PENDING, RUNNING, false, false",
            "ACTIVATING, RUNNING, false, false",
            "RUNNING, RUNNING, true, false",
            "RUNNING, STOPPED, false, true",
            "DEACTIVATING, RUNNING, false, true",
            "STOPPING, STOPPED, false, true",
            "DEPROVISIONING, STOPPED, false, true",
            "STOPPED, STOPPED, false, true",
            "DELETED, STOPPED, false, true"})
    @DisplayName("GIVEN an ECS lifecycle state WHEN classified THEN a task runs only when RUNNING and wanted, and stops from the moment it is asked to or moves past RUNNING")
    void classifiesLifecycle(String lastStatus, String desiredStatus, boolean running, boolean stopping) {
        EcsTask task = task(lastStatus, desiredStatus, null);

        assertThat(task.running()).isEqualTo(running);
        assertThat(task.stopping()).isEqualTo(stopping);
    }

    @Test
    @DisplayName("GIVEN task health statuses WHEN classified THEN only UNHEALTHY is unhealthy (UNKNOWN and none are not)")
    void classifiesHealth() {
        assertThat(task("RUNNING", "RUNNING", "UNHEALTHY").healthy()).isFalse();
        assertThat(task("RUNNING", "RUNNING", "HEALTHY").healthy()).isTrue();
        assertThat(task("RUNNING", "RUNNING", "UNKNOWN").healthy()).isTrue();
        assertThat(task("RUNNING", "RUNNING", null).healthy()).isTrue();
    }

    @Test
    @DisplayName("GIVEN cluster names, cluster ARNs and task ARNs WHEN the cluster is read THEN all give the same name, and short task ARNs give none")
    void clusterNames() {
        assertThat(EcsClusters.name("arn:aws:ecs:us-east-1:123456789012:cluster/prod")).isEqualTo("prod");
        assertThat(EcsClusters.name("prod")).isEqualTo("prod");
        assertThat(EcsClusters.ofTaskArn("arn:aws:ecs:us-east-1:123456789012:task/prod/abc")).contains("prod");
        assertThat(EcsClusters.ofTaskArn("arn:aws:ecs:us-east-1:123456789012:task/abc")).isEmpty();
    }
}
