package dev.trellis.cloudmap.reconcile;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.trellis.cloudmap.ecs.EcsTaskSource;
import dev.trellis.cloudmap.registrar.CloudMapRegistrar;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class BuildersTest {

    @Test
    @DisplayName("GIVEN a reconciler builder without a registrar or task source WHEN built THEN the error names the missing part")
    void reconcilerNeedsItsParts() {
        assertThatThrownBy(() -> CloudMapReconciler.builder().build())
                .hasMessage("registrar: null (expected: a CloudMapRegistrar)");
        assertThatThrownBy(() -> CloudMapReconciler.builder().port(0))
                .hasMessage("port: 0 (expected: 1..65535)");
        assertThatThrownBy(() -> CloudMapReconciler.builder().eventAttempts(11))
                .hasMessage("eventAttempts: 11 (expected: 1..10)");
    }

    @Test
    @DisplayName("GIVEN a task source builder without ECS calls, mesh or clusters WHEN built THEN the error names what is missing")
    void taskSourceNeedsItsParts() {
        assertThatThrownBy(() -> EcsTaskSource.builder().build())
                .hasMessage("api: null (expected: .client(EcsClient) or .api(EcsTaskApi))");
        assertThatThrownBy(() -> EcsTaskSource.builder().clusters(" "))
                .hasMessage("clusters: \" \" (expected: an ECS cluster name or ARN)");
    }

    @Test
    @DisplayName("GIVEN a registrar builder without Cloud Map calls WHEN built THEN the error says how to give them")
    void registrarNeedsItsCalls() {
        assertThatThrownBy(() -> CloudMapRegistrar.builder().build())
                .hasMessage("api: null (expected: .client(ServiceDiscoveryClient) or .api(CloudMapApi))");
        assertThatThrownBy(() -> CloudMapRegistrar.builder().namespaceNaming(null))
                .isInstanceOf(NullPointerException.class).hasMessage("namespaceNaming");
    }
}
