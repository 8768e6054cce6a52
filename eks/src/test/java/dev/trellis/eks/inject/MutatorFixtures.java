package dev.trellis.eks.inject;

import dev.trellis.eks.Pods;
import dev.trellis.eks.annotations.InjectionSettings;
import dev.trellis.eks.annotations.Interception;
import io.fabric8.kubernetes.api.model.Pod;
import java.util.List;
import java.util.Map;

final class MutatorFixtures {
    static final InjectorConfig NATIVE = new InjectorConfig("shop", "trellis/proxy:0.1", null, "http://trellis-controller.trellis:8080", true);
    static final InjectorConfig REGULAR = new InjectorConfig("shop", "trellis/proxy:0.1", null, "http://trellis-controller.trellis:8080", false);

    private MutatorFixtures() {
    }

    static InjectionSettings settings(Interception interception) {
        return new InjectionSettings("orders", "v2", 8081, interception, List.of(5432), List.of(9090), "100m", "128Mi");
    }

    static Pod pod() {
        return Pods.withAnnotations(Map.of("trellis.dev/inject", "true"));
    }

    /** A pod as the mutators before the one under test leave it. */
    static Pod podWithProxy(InjectorConfig config) {
        Pod pod = pod();
        new ProxySidecarMutator().mutate(pod, settings(Interception.TRANSPARENT), config);
        return pod;
    }
}
