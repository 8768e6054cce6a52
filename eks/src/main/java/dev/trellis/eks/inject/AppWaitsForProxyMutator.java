package dev.trellis.eks.inject;

import dev.trellis.eks.annotations.InjectionSettings;
import dev.trellis.naming.MeshPorts;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.LifecycleBuilder;
import io.fabric8.kubernetes.api.model.Pod;

/**
 * Makes the application start only once the proxy is ready. A native sidecar's startup probe
 * already holds the app containers back; a regular proxy container, placed first, gets a
 * postStart hook that waits for {@code /ready} (the kubelet starts the next container only
 * after it returns).
 */
public final class AppWaitsForProxyMutator implements PodMutator {

    static final String WAIT_SCRIPT = "for i in $(seq 1 120); do "
            + "wget -q -O /dev/null http://127.0.0.1:" + MeshPorts.ADMIN + "/ready && exit 0; sleep 1; done; exit 1";

    @Override
    public void mutate(Pod pod, InjectionSettings settings, InjectorConfig config) {
        if (config.nativeSidecars()) {
            return;
        }
        Container proxy = ProxyContainers.proxy(pod).orElseThrow();
        proxy.setLifecycle(new LifecycleBuilder().withNewPostStart().withNewExec()
                .withCommand("sh", "-c", WAIT_SCRIPT).endExec().endPostStart().build());
    }
}
