package dev.trellis.eks.inject;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trellis.eks.annotations.Interception;
import io.fabric8.kubernetes.api.model.Pod;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class AppWaitsForProxyMutatorTest {

    @Test
    @DisplayName("GIVEN a regular proxy container WHEN mutated THEN its postStart hook waits for /ready")
    void regularWaitsInPostStart() {
        Pod pod = MutatorFixtures.podWithProxy(MutatorFixtures.REGULAR);

        new AppWaitsForProxyMutator().mutate(pod, MutatorFixtures.settings(Interception.TRANSPARENT), MutatorFixtures.REGULAR);

        assertThat(pod.getSpec().getContainers().get(0).getLifecycle().getPostStart().getExec().getCommand())
                .containsExactly("sh", "-c", AppWaitsForProxyMutator.WAIT_SCRIPT);
        assertThat(AppWaitsForProxyMutator.WAIT_SCRIPT).contains("http://127.0.0.1:9901/ready");
    }

    @Test
    @DisplayName("GIVEN a native sidecar WHEN mutated THEN nothing is added: its startup probe already holds the app back")
    void nativeNeedsNothing() {
        Pod pod = MutatorFixtures.podWithProxy(MutatorFixtures.NATIVE);

        new AppWaitsForProxyMutator().mutate(pod, MutatorFixtures.settings(Interception.TRANSPARENT), MutatorFixtures.NATIVE);

        assertThat(pod.getSpec().getInitContainers().get(0).getLifecycle()).isNull();
    }
}
