package dev.trellis.eks.inject;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trellis.eks.annotations.Interception;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Volume;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class ProxyIdentityMutatorTest {

    @Test
    @DisplayName("GIVEN a pod with the proxy WHEN mutated THEN a projected token with audience trellis is mounted read-only")
    void mountsAudienceBoundToken() {
        Pod pod = MutatorFixtures.podWithProxy(MutatorFixtures.NATIVE);

        new ProxyIdentityMutator().mutate(pod, MutatorFixtures.settings(Interception.TRANSPARENT), MutatorFixtures.NATIVE);

        Volume volume = pod.getSpec().getVolumes().get(0);
        assertThat(volume.getName()).isEqualTo("trellis-token");
        assertThat(volume.getProjected().getSources().get(0).getServiceAccountToken().getAudience()).isEqualTo("trellis");
        var mount = pod.getSpec().getInitContainers().get(0).getVolumeMounts().get(0);
        assertThat(mount.getMountPath()).isEqualTo("/var/run/secrets/trellis");
        assertThat(mount.getReadOnly()).isTrue();
        assertThat(pod.getSpec().getContainers().get(0).getVolumeMounts()).as("the app does not get the token").isNullOrEmpty();
    }
}
