package dev.trellis.cloudmap.ecs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.trellis.cloudmap.testing.EcsFixture;
import dev.trellis.naming.WorkloadLabels;
import dev.trellis.testing.aws.AwsEmulator;
import dev.trellis.testing.aws.WithAwsEmulator;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import software.amazon.awssdk.services.ecs.model.Task;

@WithAwsEmulator
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EcsTaskSourceTest {

    private final AwsEmulator aws;
    private final EcsFixture ecs;
    private EcsTaskSource source;
    private String proxied;

    EcsTaskSourceTest(AwsEmulator aws) {
        this.aws = aws;
        this.ecs = new EcsFixture(aws);
    }

    @BeforeAll
    void cluster() {
        aws.setEcsTaskTransitionManual(10_000);
        ecs.createCluster("src");
        proxied = ecs.registerTaskDefinition("src-app", Map.of(WorkloadLabels.ENV_MESH, "shop",
                WorkloadLabels.ENV_SERVICE, "orders", WorkloadLabels.ENV_VERSION, "v5"));
        source = EcsTaskSource.builder().client(aws.clients().ecs()).mesh("shop").clusters("src").build();
    }

    @AfterAll
    void close() {
        ecs.close();
    }

    private MeshTask membershipOf(Task task) {
        EcsTask described = source.describe("src", java.util.List.of(task.taskArn())).get(0);
        return source.membership(described).orElseThrow();
    }

    @Test
    @DisplayName("GIVEN a task whose tags and proxy environment disagree WHEN membership is read THEN each tag wins over the environment, field by field")
    void tagsWinOverEnvironment() {
        Task task = ecs.runTask("src", proxied, Map.of(WorkloadLabels.SERVICE, "checkout"));

        MeshTask member = membershipOf(task);

        assertThat(member.mesh()).isEqualTo("shop");
        assertThat(member.service()).isEqualTo("checkout");
        assertThat(member.version()).isEqualTo("v5");
    }

    @Test
    @DisplayName("GIVEN tags without a version WHEN membership is read THEN the version is v1")
    void defaultVersion() {
        Task task = ecs.runMeshTask("src", ecs.registerPlainTaskDefinition("src-plain"), "shop", "orders", null);

        assertThat(membershipOf(task).version()).isEqualTo(WorkloadLabels.DEFAULT_VERSION);
    }

    @Test
    @DisplayName("GIVEN a task with a mesh tag but no service anywhere WHEN membership is read THEN it is not a member")
    void serviceIsRequired() {
        Task task = ecs.runTask("src", ecs.registerPlainTaskDefinition("src-noservice"), Map.of(WorkloadLabels.MESH, "shop"));

        EcsTask described = source.describe("src", java.util.List.of(task.taskArn())).get(0);

        assertThat(source.membership(described)).isEmpty();
    }

    @Test
    @DisplayName("GIVEN a RUNNING member task WHEN its workload is built THEN it has the ENI address and the chosen port")
    void workloadOfAMember() {
        Task task = ecs.runMeshTask("src", ecs.registerPlainTaskDefinition("src-w"), "shop", "orders", "v2");

        assertThat(membershipOf(task).workload(8443)).hasValueSatisfying(w -> {
            assertThat(w.address()).isEqualTo(EcsFixture.privateIpv4(task));
            assertThat(w.port()).isEqualTo(8443);
            assertThat(w.workloadId()).isEqualTo(task.taskArn());
        });
    }

    @Test
    @DisplayName("GIVEN a cluster given by ARN WHEN asked whether it is watched THEN the name and the ARN both match")
    void watchesByNameOrArn() {
        assertThat(source.watches("arn:aws:ecs:us-east-1:123456789012:cluster/src")).isTrue();
        assertThat(source.watches("src")).isTrue();
        assertThat(source.watches("other")).isFalse();
    }

    @Test
    @DisplayName("GIVEN a member task whose service label is not a DNS label WHEN its workload is built THEN the error names the service and the value")
    void invalidLabelIsExplained() {
        Task task = ecs.runMeshTask("src", ecs.registerPlainTaskDefinition("src-bad"), "shop", "Orders_Svc", null);

        assertThatThrownBy(() -> membershipOf(task).workload(15000))
                .hasMessageStartingWith("service: \"Orders_Svc\" (expected: a DNS label");
    }
}
