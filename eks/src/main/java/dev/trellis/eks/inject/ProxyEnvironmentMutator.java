package dev.trellis.eks.inject;

import dev.trellis.eks.annotations.InjectionSettings;
import dev.trellis.naming.WorkloadLabels;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import java.util.ArrayList;
import java.util.List;

/** Tells the proxy who it is and where the controller is: mesh, service, version, app port, pod. */
public final class ProxyEnvironmentMutator implements PodMutator {

    @Override
    public void mutate(Pod pod, InjectionSettings settings, InjectorConfig config) {
        Container proxy = ProxyContainers.proxy(pod).orElseThrow(() ->
                new IllegalStateException("container: " + ProxyContainers.PROXY + " missing (expected: added by ProxySidecarMutator first)"));
        List<EnvVar> env = new ArrayList<>(proxy.getEnv() == null ? List.of() : proxy.getEnv());
        env.add(new EnvVar(WorkloadLabels.ENV_MESH, config.mesh(), null));
        env.add(new EnvVar(WorkloadLabels.ENV_SERVICE, settings.service(), null));
        env.add(new EnvVar(WorkloadLabels.ENV_VERSION, settings.version(), null));
        env.add(new EnvVar("TRELLIS_APP_PORT", Integer.toString(settings.appPort()), null));
        env.add(new EnvVar("TRELLIS_CONTROLLER_URL", config.controllerUrl(), null));
        env.add(fieldRef("POD_NAME", "metadata.name"));
        env.add(fieldRef("POD_NAMESPACE", "metadata.namespace"));
        env.add(fieldRef("POD_IP", "status.podIP"));
        proxy.setEnv(env);
    }

    private static EnvVar fieldRef(String name, String path) {
        return new EnvVarBuilder().withName(name).withNewValueFrom().withNewFieldRef()
                .withFieldPath(path).endFieldRef().endValueFrom().build();
    }
}
