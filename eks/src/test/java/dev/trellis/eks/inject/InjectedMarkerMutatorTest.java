package dev.trellis.eks.inject;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trellis.eks.annotations.Interception;
import io.fabric8.kubernetes.api.model.Pod;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class InjectedMarkerMutatorTest {

    @Test
    @DisplayName("GIVEN a pod WHEN mutated THEN it is marked injected and labelled with mesh, service and version")
    void marksAndLabels() {
        Pod pod = MutatorFixtures.pod();

        new InjectedMarkerMutator().mutate(pod, MutatorFixtures.settings(Interception.TRANSPARENT), MutatorFixtures.NATIVE);

        assertThat(pod.getMetadata().getAnnotations()).containsEntry("trellis.dev/injected", "true")
                .containsEntry("trellis.dev/inject", "true");
        assertThat(pod.getMetadata().getLabels()).containsEntry("trellis.dev/mesh", "shop")
                .containsEntry("trellis.dev/service", "orders").containsEntry("trellis.dev/version", "v2")
                .containsEntry("app", "orders");
    }
}
