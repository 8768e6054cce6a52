package dev.trellis.eks.inject;

import dev.trellis.eks.annotations.InjectionSettings;
import io.fabric8.kubernetes.api.model.Pod;

/** One step of injection: changes the pod in place; steps run in a fixed order. */
@FunctionalInterface
public interface PodMutator {

    void mutate(Pod pod, InjectionSettings settings, InjectorConfig config);
}
