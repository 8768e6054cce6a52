package dev.trellis.eks.inject;

import dev.trellis.eks.annotations.InjectionSettings;
import dev.trellis.eks.annotations.MeshAnnotations;
import dev.trellis.naming.WorkloadLabels;
import io.fabric8.kubernetes.api.model.Pod;
import java.util.HashMap;
import java.util.Map;

/**
 * Marks the pod as injected (so a second admission pass changes nothing) and labels it with its
 * mesh, service and version, which the pod registration watches.
 */
public final class InjectedMarkerMutator implements PodMutator {

    @Override
    public void mutate(Pod pod, InjectionSettings settings, InjectorConfig config) {
        Map<String, String> annotations = new HashMap<>(
                pod.getMetadata().getAnnotations() == null ? Map.of() : pod.getMetadata().getAnnotations());
        annotations.put(MeshAnnotations.INJECTED, "true");
        pod.getMetadata().setAnnotations(annotations);
        Map<String, String> labels = new HashMap<>(
                pod.getMetadata().getLabels() == null ? Map.of() : pod.getMetadata().getLabels());
        labels.put(WorkloadLabels.MESH, config.mesh());
        labels.put(WorkloadLabels.SERVICE, settings.service());
        labels.put(WorkloadLabels.VERSION, settings.version());
        pod.getMetadata().setLabels(labels);
    }
}
