package dev.trellis.eks.inject;

import dev.trellis.eks.annotations.InjectionSettings;
import dev.trellis.naming.MeshPorts;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.ProbeBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import java.util.ArrayList;
import java.util.List;

/**
 * Adds the proxy: as a native sidecar (an init container with {@code restartPolicy: Always},
 * so that Jobs finish when their app does) where the cluster supports it, else as the first
 * regular container. Runs as UID 1337 without privileges.
 */
public final class ProxySidecarMutator implements PodMutator {

    @Override
    public void mutate(Pod pod, InjectionSettings settings, InjectorConfig config) {
        Probe ready = new ProbeBuilder().withNewHttpGet().withPath("/ready")
                .withNewPort(MeshPorts.ADMIN).endHttpGet()
                .withPeriodSeconds(1).withFailureThreshold(120).build();
        Container proxy = new ContainerBuilder()
                .withName(ProxyContainers.PROXY)
                .withImage(config.proxyImage())
                .addNewPort().withName("trellis-in").withContainerPort(MeshPorts.INBOUND).endPort()
                .addNewPort().withName("trellis-admin").withContainerPort(MeshPorts.ADMIN).endPort()
                .withStartupProbe(ready)
                .withReadinessProbe(new ProbeBuilder(ready).withFailureThreshold(3).build())
                .withNewSecurityContext()
                    .withRunAsUser((long) MeshPorts.PROXY_UID)
                    .withRunAsGroup((long) MeshPorts.PROXY_UID)
                    .withRunAsNonRoot(true)
                    .withAllowPrivilegeEscalation(false)
                    .withReadOnlyRootFilesystem(true)
                    .withNewCapabilities().withDrop("ALL").endCapabilities()
                .endSecurityContext()
                .withNewResources()
                    .addToRequests("cpu", new Quantity(settings.proxyCpu()))
                    .addToRequests("memory", new Quantity(settings.proxyMemory()))
                    .addToLimits("memory", new Quantity(settings.proxyMemory()))
                .endResources()
                .build();
        if (config.nativeSidecars()) {
            proxy.setRestartPolicy("Always");
            ProxyContainers.initContainers(pod).add(proxy);
        } else {
            List<Container> containers = new ArrayList<>(pod.getSpec().getContainers());
            containers.add(0, proxy);
            pod.getSpec().setContainers(containers);
        }
    }
}
