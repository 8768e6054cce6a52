package dev.trellis.eks.inject;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Finding and adding the containers the injector owns, by name. */
final class ProxyContainers {
    static final String PROXY = "trellis-proxy";
    static final String INIT = "trellis-init";

    private ProxyContainers() {
    }

    static Optional<Container> proxy(Pod pod) {
        return all(pod).stream().filter(c -> PROXY.equals(c.getName())).findFirst();
    }

    static List<Container> all(Pod pod) {
        List<Container> all = new ArrayList<>(pod.getSpec().getContainers());
        if (pod.getSpec().getInitContainers() != null) {
            all.addAll(pod.getSpec().getInitContainers());
        }
        return all;
    }

    /** The application's containers: every regular container but the proxy. */
    static List<Container> app(Pod pod) {
        return pod.getSpec().getContainers().stream().filter(c -> !PROXY.equals(c.getName())).toList();
    }

    static List<Container> initContainers(Pod pod) {
        if (pod.getSpec().getInitContainers() == null) {
            pod.getSpec().setInitContainers(new ArrayList<>());
        }
        return pod.getSpec().getInitContainers();
    }
}
