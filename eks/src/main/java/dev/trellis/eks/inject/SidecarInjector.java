package dev.trellis.eks.inject;

import dev.trellis.eks.annotations.InjectionDecision;
import dev.trellis.eks.annotations.InjectionPolicy;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.zjsonpatch.JsonDiff;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * Decides whether to inject a pod and, if so, runs the mutators in order on a copy and returns
 * the RFC 6902 JSON patch from the original to the copy. The original is never touched.
 */
public final class SidecarInjector {

    /** The mutators in the order they run; each needs only what the ones before it added. */
    public static final List<PodMutator> DEFAULT_MUTATORS = List.of(
            new ProxySidecarMutator(),
            new ProxyEnvironmentMutator(),
            new ProxyIdentityMutator(),
            new AppWaitsForProxyMutator(),
            new InterceptionMutator(),
            new InjectedMarkerMutator());

    // fabric8 models serialize with its own (Jackson 3) mapper; patches are computed on its trees.
    private static final ObjectMapper JSON = Serialization.jsonMapper();

    private final InjectorConfig config;
    private final List<PodMutator> mutators;

    public SidecarInjector(InjectorConfig config) {
        this(config, DEFAULT_MUTATORS);
    }

    public SidecarInjector(InjectorConfig config, List<PodMutator> mutators) {
        this.config = config;
        this.mutators = List.copyOf(mutators);
    }

    /** The outcome for one pod: the decision and, when injected, the patch. */
    public record Result(InjectionDecision decision, JsonNode patch) {
    }

    public Result inject(Pod pod, Map<String, String> namespaceLabels) {
        InjectionDecision decision = InjectionPolicy.decide(pod, namespaceLabels);
        if (!(decision instanceof InjectionDecision.Inject inject)) {
            return new Result(decision, JSON.createArrayNode());
        }
        JsonNode original = JSON.valueToTree(pod);
        Pod copy = Serialization.clone(pod);
        for (PodMutator mutator : mutators) {
            mutator.mutate(copy, inject.settings(), config);
        }
        return new Result(decision, JsonDiff.asJson(original, JSON.valueToTree(copy)));
    }
}
