package dev.trellis.eks.inject;

import static dev.trellis.eks.inject.MutatorFixtures.NATIVE;
import static dev.trellis.eks.inject.MutatorFixtures.REGULAR;
import static org.assertj.core.api.Assertions.assertThat;

import dev.trellis.eks.annotations.Interception;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.Pod;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class ProxySidecarMutatorTest {

    @Test
    @DisplayName("GIVEN native sidecars WHEN mutated THEN the proxy is an init container with restartPolicy Always and a startup probe")
    void nativeSidecar() {
        Pod pod = MutatorFixtures.pod();

        new ProxySidecarMutator().mutate(pod, MutatorFixtures.settings(Interception.TRANSPARENT), NATIVE);

        assertThat(pod.getSpec().getContainers()).extracting(Container::getName).containsExactly("orders");
        Container proxy = pod.getSpec().getInitContainers().get(0);
        assertThat(proxy.getName()).isEqualTo("trellis-proxy");
        assertThat(proxy.getRestartPolicy()).isEqualTo("Always");
        assertThat(proxy.getStartupProbe().getHttpGet().getPath()).isEqualTo("/ready");
        assertThat(proxy.getStartupProbe().getHttpGet().getPort().getIntVal()).isEqualTo(9901);
    }

    @Test
    @DisplayName("GIVEN no native sidecars WHEN mutated THEN the proxy is the first regular container")
    void regularContainer() {
        Pod pod = MutatorFixtures.pod();

        new ProxySidecarMutator().mutate(pod, MutatorFixtures.settings(Interception.TRANSPARENT), REGULAR);

        assertThat(pod.getSpec().getContainers()).extracting(Container::getName).containsExactly("trellis-proxy", "orders");
        assertThat(pod.getSpec().getContainers().get(0).getRestartPolicy()).isNull();
    }

    @Test
    @DisplayName("GIVEN any mode WHEN mutated THEN the proxy runs as 1337 without privileges, ports and resources set")
    void unprivilegedWithPortsAndResources() {
        Pod pod = MutatorFixtures.pod();

        new ProxySidecarMutator().mutate(pod, MutatorFixtures.settings(Interception.TRANSPARENT), NATIVE);

        Container proxy = pod.getSpec().getInitContainers().get(0);
        assertThat(proxy.getSecurityContext().getRunAsUser()).isEqualTo(1337L);
        assertThat(proxy.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
        assertThat(proxy.getSecurityContext().getCapabilities().getDrop()).containsExactly("ALL");
        assertThat(proxy.getPorts()).extracting(ContainerPort::getContainerPort).containsExactly(15000, 9901);
        assertThat(proxy.getResources().getRequests().get("cpu").toString()).isEqualTo("100m");
        assertThat(proxy.getResources().getLimits().get("memory").toString()).isEqualTo("128Mi");
    }
}
