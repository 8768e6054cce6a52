package dev.trellis.eks.annotations;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.Pod;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Reads a pod's annotations and its namespace's labels into an {@link InjectionDecision}. Every
 * malformed value is reported at once, named {@code annotation: value (expected: ...)}.
 */
public final class InjectionPolicy {

    private static final Pattern NAME = Pattern.compile("^[a-z][a-z0-9-]{0,62}$");
    private static final Pattern CPU = Pattern.compile("^[0-9]+(\\.[0-9]+)?m?$");
    private static final Pattern MEMORY = Pattern.compile("^[0-9]+(Ki|Mi|Gi|K|M|G)?$");

    private InjectionPolicy() {
    }

    public static InjectionDecision decide(Pod pod, Map<String, String> namespaceLabels) {
        Map<String, String> annotations = orEmpty(pod.getMetadata().getAnnotations());
        Map<String, String> labels = orEmpty(pod.getMetadata().getLabels());
        if ("true".equals(annotations.get(MeshAnnotations.INJECTED))) {
            return new InjectionDecision.Skip("already injected");
        }
        if (Boolean.TRUE.equals(pod.getSpec().getHostNetwork())) {
            return new InjectionDecision.Skip("host network pods are not injected");
        }
        String inject = annotations.get(MeshAnnotations.INJECT);
        List<String> problems = new ArrayList<>();
        if (inject != null && !inject.equals("true") && !inject.equals("false")) {
            problems.add(MeshAnnotations.INJECT + ": " + inject + " (expected: true or false)");
            return new InjectionDecision.Malformed(problems);
        }
        boolean namespaceOptIn = "enabled".equals(orEmpty(namespaceLabels).get(MeshAnnotations.NAMESPACE_LABEL));
        if ("false".equals(inject)) {
            return new InjectionDecision.Skip("pod opted out with " + MeshAnnotations.INJECT + "=false");
        }
        if (inject == null && !namespaceOptIn) {
            return new InjectionDecision.Skip("neither the pod nor its namespace opted in");
        }

        String service = Optional.ofNullable(annotations.get(MeshAnnotations.SERVICE)).orElse(labels.get("app"));
        if (service == null) {
            problems.add(MeshAnnotations.SERVICE + ": missing (expected: the mesh service name, or an app label)");
        } else if (!NAME.matcher(service).matches()) {
            problems.add(MeshAnnotations.SERVICE + ": " + service + " (expected: a mesh service name, lower-case letters, digits and '-')");
        }
        String version = Optional.ofNullable(annotations.get(MeshAnnotations.VERSION))
                .orElse(labels.getOrDefault("version", "v1"));
        if (!NAME.matcher(version).matches()) {
            problems.add(MeshAnnotations.VERSION + ": " + version + " (expected: a version name such as v1)");
        }
        int appPort = appPort(pod, annotations.get(MeshAnnotations.APP_PORT), problems);
        Interception interception = Interception.TRANSPARENT;
        String interceptionText = annotations.get(MeshAnnotations.INTERCEPTION);
        if (interceptionText != null) {
            try {
                interception = Interception.valueOf(interceptionText.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                problems.add(MeshAnnotations.INTERCEPTION + ": " + interceptionText + " (expected: transparent or explicit)");
            }
        }
        List<Integer> excludeOutbound = ports(MeshAnnotations.EXCLUDE_OUTBOUND_PORTS,
                annotations.get(MeshAnnotations.EXCLUDE_OUTBOUND_PORTS), problems);
        List<Integer> excludeInbound = ports(MeshAnnotations.EXCLUDE_INBOUND_PORTS,
                annotations.get(MeshAnnotations.EXCLUDE_INBOUND_PORTS), problems);
        String cpu = annotations.getOrDefault(MeshAnnotations.PROXY_CPU, "100m");
        if (!CPU.matcher(cpu).matches()) {
            problems.add(MeshAnnotations.PROXY_CPU + ": " + cpu + " (expected: a CPU quantity such as 100m or 0.5)");
        }
        String memory = annotations.getOrDefault(MeshAnnotations.PROXY_MEMORY, "128Mi");
        if (!MEMORY.matcher(memory).matches()) {
            problems.add(MeshAnnotations.PROXY_MEMORY + ": " + memory + " (expected: a memory quantity such as 128Mi)");
        }
        if (!problems.isEmpty()) {
            return new InjectionDecision.Malformed(problems);
        }
        return new InjectionDecision.Inject(new InjectionSettings(service, version, appPort, interception,
                excludeOutbound, excludeInbound, cpu, memory));
    }

    private static int appPort(Pod pod, String annotated, List<String> problems) {
        if (annotated != null) {
            Integer port = port(annotated);
            if (port == null) {
                problems.add(MeshAnnotations.APP_PORT + ": " + annotated + " (expected: a port number 1..65535)");
                return 0;
            }
            return port;
        }
        for (Container container : pod.getSpec().getContainers()) {
            for (ContainerPort port : Optional.ofNullable(container.getPorts()).orElse(List.of())) {
                if (port.getContainerPort() != null && !"UDP".equals(port.getProtocol())) {
                    return port.getContainerPort();
                }
            }
        }
        problems.add(MeshAnnotations.APP_PORT + ": missing (expected: a port number, or a container port on the pod)");
        return 0;
    }

    private static List<Integer> ports(String annotation, String text, List<String> problems) {
        List<Integer> ports = new ArrayList<>();
        if (text == null || text.isBlank()) {
            return ports;
        }
        for (String part : text.split(",")) {
            Integer port = port(part.trim());
            if (port == null) {
                problems.add(annotation + ": " + text + " (expected: comma-separated port numbers 1..65535)");
                return List.of();
            }
            ports.add(port);
        }
        return ports;
    }

    private static Integer port(String text) {
        try {
            int port = Integer.parseInt(text);
            return port >= 1 && port <= 65535 ? port : null;
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static Map<String, String> orEmpty(Map<String, String> map) {
        return map == null ? Map.of() : map;
    }
}
