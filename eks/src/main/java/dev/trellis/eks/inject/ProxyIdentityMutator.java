package dev.trellis.eks.inject;

import dev.trellis.eks.annotations.InjectionSettings;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMount;
import java.util.ArrayList;
import java.util.List;

/**
 * Gives the proxy a short-lived service account token with the audience {@code trellis}, which
 * it shows the controller's CA (TokenReview) to prove who it is before a certificate is signed.
 */
public final class ProxyIdentityMutator implements PodMutator {
    static final String VOLUME = "trellis-token";
    static final String MOUNT_PATH = "/var/run/secrets/trellis";
    static final String AUDIENCE = "trellis";

    @Override
    public void mutate(Pod pod, InjectionSettings settings, InjectorConfig config) {
        Volume token = new VolumeBuilder().withName(VOLUME).withNewProjected().addNewSource()
                .withNewServiceAccountToken().withAudience(AUDIENCE).withExpirationSeconds(3600L)
                .withPath("token").endServiceAccountToken().endSource().endProjected().build();
        List<Volume> volumes = new ArrayList<>(pod.getSpec().getVolumes() == null ? List.of() : pod.getSpec().getVolumes());
        volumes.add(token);
        pod.getSpec().setVolumes(volumes);
        Container proxy = ProxyContainers.proxy(pod).orElseThrow();
        List<VolumeMount> mounts = new ArrayList<>(proxy.getVolumeMounts() == null ? List.of() : proxy.getVolumeMounts());
        mounts.add(new io.fabric8.kubernetes.api.model.VolumeMountBuilder().withName(VOLUME).withMountPath(MOUNT_PATH).withReadOnly(true).build());
        proxy.setVolumeMounts(mounts);
    }
}
