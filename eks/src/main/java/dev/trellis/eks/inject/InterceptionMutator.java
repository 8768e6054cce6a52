package dev.trellis.eks.inject;

import dev.trellis.eks.annotations.Interception;
import dev.trellis.eks.annotations.InjectionSettings;
import dev.trellis.naming.MeshPorts;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Pod;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Routes the application's traffic through the proxy. Transparent: an init container (before the
 * proxy) writes iptables rules that send inbound connections to 15000 and outbound ones to 15001,
 * exempting the proxy's own user (1337), loopback and excluded ports. Explicit: the application
 * containers get {@code HTTP_PROXY} pointing at the outbound listener.
 */
public final class InterceptionMutator implements PodMutator {

    @Override
    public void mutate(Pod pod, InjectionSettings settings, InjectorConfig config) {
        if (settings.interception() == Interception.EXPLICIT) {
            explicit(pod, settings);
        } else {
            transparent(pod, settings, config);
        }
    }

    private static void explicit(Pod pod, InjectionSettings settings) {
        String proxy = "http://127.0.0.1:" + MeshPorts.OUTBOUND;
        String noProxy = "localhost,127.0.0.1" + settings.excludeOutboundPorts().stream()
                .map(p -> ",:" + p).collect(Collectors.joining());
        for (Container app : ProxyContainers.app(pod)) {
            List<EnvVar> env = new ArrayList<>(app.getEnv() == null ? List.of() : app.getEnv());
            env.add(new EnvVar("HTTP_PROXY", proxy, null));
            env.add(new EnvVar("http_proxy", proxy, null));
            env.add(new EnvVar("NO_PROXY", noProxy, null));
            app.setEnv(env);
        }
    }

    private static void transparent(Pod pod, InjectionSettings settings, InjectorConfig config) {
        Container init = new ContainerBuilder()
                .withName(ProxyContainers.INIT)
                .withImage(config.initImage())
                .withCommand("sh", "-c", IptablesScript.rules(settings))
                .withNewSecurityContext()
                    .withRunAsUser(0L)
                    .withRunAsNonRoot(false)
                    .withNewCapabilities().withAdd("NET_ADMIN", "NET_RAW").withDrop("ALL").endCapabilities()
                .endSecurityContext()
                .build();
        // Before every other init container, so that the proxy (a native sidecar) and any
        // init container of the app already run with the rules in place.
        ProxyContainers.initContainers(pod).add(0, init);
    }
}
