package dev.trellis.cloudmap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.trellis.naming.CloudMapAttributes;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class WorkloadTest {

    private static final String TASK_ARN = "arn:aws:ecs:us-east-1:123456789012:task/prod/0123456789abcdef0123456789abcdef";

    private static Workload.Builder task() {
        return Workload.builder().mesh("shop").service("orders").address("10.0.1.23").ecsTask(TASK_ARN);
    }

    @Test
    @DisplayName("GIVEN an ECS task workload WHEN its attributes are read THEN they carry address, proxy port 15000, mesh, version v1, task ARN and kind")
    void attributesOfAnEcsTask() {
        Workload workload = task().zone("us-east-1a").build();

        assertThat(workload.attributes()).containsExactlyInAnyOrderEntriesOf(java.util.Map.of(
                CloudMapAttributes.IPV4, "10.0.1.23",
                CloudMapAttributes.PORT, "15000",
                CloudMapAttributes.AVAILABILITY_ZONE, "us-east-1a",
                CloudMapAttributes.MESH, "shop",
                CloudMapAttributes.VERSION, "v1",
                CloudMapAttributes.WORKLOAD, TASK_ARN,
                CloudMapAttributes.WORKLOAD_KIND, "ecs-task"));
    }

    @Test
    @DisplayName("GIVEN no zone WHEN attributes are read THEN AVAILABILITY_ZONE is left out rather than empty")
    void noZoneNoAttribute() {
        assertThat(task().zone(" ").build().attributes()).doesNotContainKey(CloudMapAttributes.AVAILABILITY_ZONE);
    }

    @Test
    @DisplayName("GIVEN an ECS task ARN WHEN the instance id is derived THEN it is the task id, the same for every caller")
    void instanceIdIsTheTaskId() {
        assertThat(task().build().instanceId()).isEqualTo("0123456789abcdef0123456789abcdef");
        assertThat(task().version("v9").address("10.9.9.9").build().instanceId())
                .isEqualTo(task().build().instanceId());
    }

    @Test
    @DisplayName("GIVEN a pod WHEN the instance id is derived THEN namespace/name is used as is")
    void instanceIdOfAPod() {
        Workload pod = Workload.builder().mesh("shop").service("orders").address("10.0.2.2").eksPod("team-a", "orders-7d9f").build();

        assertThat(pod.instanceId()).isEqualTo("team-a/orders-7d9f");
    }

    @Test
    @DisplayName("GIVEN a workload id Cloud Map would refuse (too long) WHEN the instance id is derived THEN it is kind plus a stable hash")
    void instanceIdHashedWhenInvalid() {
        String longId = "ns/" + "x".repeat(80);

        String id = Workload.instanceIdOf(WorkloadKind.EKS_POD, longId);

        assertThat(id).startsWith("eks-pod-").hasSize("eks-pod-".length() + 40)
                .isEqualTo(Workload.instanceIdOf(WorkloadKind.EKS_POD, longId))
                .isNotEqualTo(Workload.instanceIdOf(WorkloadKind.EKS_POD, longId + "y"));
    }

    @Test
    @DisplayName("GIVEN an address that is not IPv4 WHEN built THEN the error names the field, the value and what is expected")
    void rejectsBadAddress() {
        assertThatThrownBy(() -> task().address("10.0.1.300").build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("address: \"10.0.1.300\" (expected: an IPv4 address such as 10.0.1.23)");
    }

    @Test
    @DisplayName("GIVEN a port out of range WHEN built THEN the error shows the value and the range")
    void rejectsBadPort() {
        assertThatThrownBy(() -> task().port(0).build()).hasMessage("port: 0 (expected: 1..65535)");
    }

    @Test
    @DisplayName("GIVEN a service name that is not a DNS label WHEN built THEN the error names service")
    void rejectsBadService() {
        assertThatThrownBy(() -> task().service("Orders_Svc").build())
                .hasMessageStartingWith("service: \"Orders_Svc\" (expected: a DNS label");
    }

    @Test
    @DisplayName("GIVEN no workload id WHEN built THEN the error names kind first")
    void rejectsMissingWorkload() {
        assertThatThrownBy(() -> Workload.builder().mesh("shop").service("orders").address("10.0.0.1").build())
                .hasMessage("kind: null (expected: ecs-task, eks-pod or local)");
    }

    @Test
    @DisplayName("GIVEN an unknown kind attribute WHEN parsed THEN the error lists the accepted kinds")
    void rejectsUnknownKind() {
        assertThat(WorkloadKind.fromAttributeValue("eks-pod")).isEqualTo(WorkloadKind.EKS_POD);
        assertThatThrownBy(() -> WorkloadKind.fromAttributeValue("vm"))
                .hasMessage("TRELLIS_WORKLOAD_KIND: \"vm\" (expected: one of ecs-task, eks-pod, local)");
    }
}
