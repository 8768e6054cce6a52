package dev.trellis.eks.annotations;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trellis.eks.Pods;
import io.fabric8.kubernetes.api.model.Pod;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class InjectionPolicyTest {

    private static final Map<String, String> OPTED_IN_NAMESPACE = Map.of("trellis.dev/inject", "enabled");

    @Test
    @DisplayName("GIVEN a pod annotated inject=true WHEN decided THEN it is injected with settings from its labels and ports")
    void podOptIn() {
        InjectionDecision decision = InjectionPolicy.decide(Pods.withAnnotations(Map.of("trellis.dev/inject", "true")), Map.of());

        assertThat(decision).isEqualTo(new InjectionDecision.Inject(new InjectionSettings(
                "orders", "v1", 8081, Interception.TRANSPARENT, List.of(), List.of(), "100m", "128Mi")));
    }

    @Test
    @DisplayName("GIVEN a namespace labelled enabled WHEN an unannotated pod is decided THEN it is injected")
    void namespaceOptIn() {
        assertThat(InjectionPolicy.decide(Pods.withAnnotations(Map.of()), OPTED_IN_NAMESPACE))
                .isInstanceOf(InjectionDecision.Inject.class);
    }

    @Test
    @DisplayName("GIVEN an opted-in namespace WHEN a pod says inject=false THEN it is skipped")
    void podOptOutWins() {
        assertThat(InjectionPolicy.decide(Pods.withAnnotations(Map.of("trellis.dev/inject", "false")), OPTED_IN_NAMESPACE))
                .isEqualTo(new InjectionDecision.Skip("pod opted out with trellis.dev/inject=false"));
    }

    @Test
    @DisplayName("GIVEN neither pod nor namespace opted in WHEN decided THEN it is skipped")
    void notOptedIn() {
        assertThat(InjectionPolicy.decide(Pods.withAnnotations(Map.of()), Map.of()))
                .isEqualTo(new InjectionDecision.Skip("neither the pod nor its namespace opted in"));
    }

    @Test
    @DisplayName("GIVEN an already injected pod WHEN decided again THEN it is skipped")
    void alreadyInjected() {
        assertThat(InjectionPolicy.decide(Pods.withAnnotations(
                Map.of("trellis.dev/inject", "true", "trellis.dev/injected", "true")), Map.of()))
                .isEqualTo(new InjectionDecision.Skip("already injected"));
    }

    @Test
    @DisplayName("GIVEN every annotation set WHEN decided THEN each one is honoured")
    void everyAnnotation() {
        Pod pod = Pods.withAnnotations(Map.of(
                "trellis.dev/inject", "true",
                "trellis.dev/service", "checkout",
                "trellis.dev/version", "v7",
                "trellis.dev/app-port", "9000",
                "trellis.dev/interception", "explicit",
                "trellis.dev/exclude-outbound-ports", "5432, 6379",
                "trellis.dev/exclude-inbound-ports", "9090",
                "trellis.dev/proxy-cpu", "250m",
                "trellis.dev/proxy-memory", "256Mi"));

        assertThat(InjectionPolicy.decide(pod, Map.of())).isEqualTo(new InjectionDecision.Inject(new InjectionSettings(
                "checkout", "v7", 9000, Interception.EXPLICIT, List.of(5432, 6379), List.of(9090), "250m", "256Mi")));
    }

    @Test
    @DisplayName("GIVEN several malformed annotations WHEN decided THEN every problem is named and nothing is injected")
    void malformedAnnotations() {
        Pod pod = Pods.withAnnotations(Map.of(
                "trellis.dev/inject", "true",
                "trellis.dev/app-port", "http",
                "trellis.dev/interception", "magic",
                "trellis.dev/exclude-outbound-ports", "5432,99999",
                "trellis.dev/proxy-memory", "lots"));

        assertThat(InjectionPolicy.decide(pod, Map.of())).isEqualTo(new InjectionDecision.Malformed(List.of(
                "trellis.dev/app-port: http (expected: a port number 1..65535)",
                "trellis.dev/interception: magic (expected: transparent or explicit)",
                "trellis.dev/exclude-outbound-ports: 5432,99999 (expected: comma-separated port numbers 1..65535)",
                "trellis.dev/proxy-memory: lots (expected: a memory quantity such as 128Mi)")));
    }

    @Test
    @DisplayName("GIVEN inject=yes WHEN decided THEN the value is refused rather than guessed")
    void malformedInjectValue() {
        assertThat(InjectionPolicy.decide(Pods.withAnnotations(Map.of("trellis.dev/inject", "yes")), Map.of()))
                .isEqualTo(new InjectionDecision.Malformed(List.of("trellis.dev/inject: yes (expected: true or false)")));
    }

    @Test
    @DisplayName("GIVEN a pod with neither app-port nor container ports WHEN decided THEN the missing port is named")
    void noPort() {
        Pod pod = Pods.withAnnotations(Map.of("trellis.dev/inject", "true"));
        pod.getSpec().getContainers().get(0).setPorts(List.of());

        assertThat(InjectionPolicy.decide(pod, Map.of())).isEqualTo(new InjectionDecision.Malformed(List.of(
                "trellis.dev/app-port: missing (expected: a port number, or a container port on the pod)")));
    }
}
