package dev.trellis.eks.inject;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.trellis.eks.annotations.Interception;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Pod;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class ProxyEnvironmentMutatorTest {

    @Test
    @DisplayName("GIVEN a pod with the proxy WHEN mutated THEN the proxy knows its mesh, service, version, app port, controller and pod")
    void setsIdentityEnvironment() {
        Pod pod = MutatorFixtures.podWithProxy(MutatorFixtures.NATIVE);

        new ProxyEnvironmentMutator().mutate(pod, MutatorFixtures.settings(Interception.TRANSPARENT), MutatorFixtures.NATIVE);

        Map<String, EnvVar> env = pod.getSpec().getInitContainers().get(0).getEnv().stream()
                .collect(Collectors.toMap(EnvVar::getName, e -> e));
        assertThat(env.get("TRELLIS_MESH").getValue()).isEqualTo("shop");
        assertThat(env.get("TRELLIS_SERVICE").getValue()).isEqualTo("orders");
        assertThat(env.get("TRELLIS_VERSION").getValue()).isEqualTo("v2");
        assertThat(env.get("TRELLIS_APP_PORT").getValue()).isEqualTo("8081");
        assertThat(env.get("TRELLIS_CONTROLLER_URL").getValue()).isEqualTo("http://trellis-controller.trellis:8080");
        assertThat(env.get("POD_IP").getValueFrom().getFieldRef().getFieldPath()).isEqualTo("status.podIP");
    }

    @Test
    @DisplayName("GIVEN a pod without the proxy WHEN mutated THEN the misordering is named")
    void needsTheProxyFirst() {
        assertThatThrownBy(() -> new ProxyEnvironmentMutator().mutate(MutatorFixtures.pod(),
                MutatorFixtures.settings(Interception.TRANSPARENT), MutatorFixtures.NATIVE))
                .hasMessage("container: trellis-proxy missing (expected: added by ProxySidecarMutator first)");
    }
}
