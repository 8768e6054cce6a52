package dev.trellis.eks.inject;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trellis.eks.annotations.Interception;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Pod;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class InterceptionMutatorTest {

    @Test
    @DisplayName("GIVEN transparent interception WHEN mutated THEN an iptables init container runs before the proxy")
    void transparent() {
        Pod pod = MutatorFixtures.podWithProxy(MutatorFixtures.NATIVE);

        new InterceptionMutator().mutate(pod, MutatorFixtures.settings(Interception.TRANSPARENT), MutatorFixtures.NATIVE);

        assertThat(pod.getSpec().getInitContainers()).extracting(Container::getName).containsExactly("trellis-init", "trellis-proxy");
        Container init = pod.getSpec().getInitContainers().get(0);
        assertThat(init.getSecurityContext().getCapabilities().getAdd()).containsExactly("NET_ADMIN", "NET_RAW");
        String script = init.getCommand().get(2);
        assertThat(script)
                .contains("--uid-owner 1337 -j RETURN")
                .contains("-A PREROUTING -p tcp --dport 8081 -j TRELLIS_IN")
                .contains("REDIRECT --to-port 15000")
                .contains("REDIRECT --to-port 15001")
                .contains("-A TRELLIS_OUT -p tcp --dport 5432 -j RETURN")
                .contains("-A TRELLIS_IN -p tcp --dport 9090 -j RETURN");
        assertThat(pod.getSpec().getContainers().get(0).getEnv()).isNullOrEmpty();
    }

    @Test
    @DisplayName("GIVEN explicit interception WHEN mutated THEN app containers get HTTP_PROXY and no init container is added")
    void explicit() {
        Pod pod = MutatorFixtures.podWithProxy(MutatorFixtures.REGULAR);

        new InterceptionMutator().mutate(pod, MutatorFixtures.settings(Interception.EXPLICIT), MutatorFixtures.REGULAR);

        assertThat(pod.getSpec().getInitContainers()).isNullOrEmpty();
        Container app = pod.getSpec().getContainers().get(1);
        assertThat(app.getEnv()).extracting(EnvVar::getName, EnvVar::getValue).contains(
                org.assertj.core.groups.Tuple.tuple("HTTP_PROXY", "http://127.0.0.1:15001"),
                org.assertj.core.groups.Tuple.tuple("NO_PROXY", "localhost,127.0.0.1,:5432"));
        assertThat(pod.getSpec().getContainers().get(0).getEnv()).as("not the proxy itself").isNullOrEmpty();
    }
}
