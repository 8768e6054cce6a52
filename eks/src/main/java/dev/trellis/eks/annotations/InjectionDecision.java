package dev.trellis.eks.annotations;

import java.util.List;

/**
 * Whether a pod is injected, and why: injected with its settings, skipped (opted out, not opted
 * in, already injected), or refused because an annotation is malformed — then the pod is left
 * as it was and the problems are reported on it.
 */
public sealed interface InjectionDecision {

    record Inject(InjectionSettings settings) implements InjectionDecision {
    }

    record Skip(String reason) implements InjectionDecision {
    }

    record Malformed(List<String> problems) implements InjectionDecision {
        public Malformed {
            problems = List.copyOf(problems);
        }
    }
}
