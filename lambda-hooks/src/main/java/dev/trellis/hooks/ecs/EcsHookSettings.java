package dev.trellis.hooks.ecs;

import dev.trellis.naming.MeshPorts;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What the ECS hook is told by its Lambda environment (set by the CDK constructs): which mesh,
 * which ECS clusters, and the port peers reach a task's proxy on.
 *
 * @param mesh the mesh name ({@value #ENV_MESH})
 * @param clusters the ECS clusters whose tasks it registers, names or ARNs ({@value #ENV_CLUSTERS}, comma-separated)
 * @param proxyPort the port registered for every task ({@value #ENV_PROXY_PORT}; the proxy's inbound port by default)
 */
public record EcsHookSettings(String mesh, List<String> clusters, int proxyPort) {

    public static final String ENV_MESH = "TRELLIS_MESH";
    public static final String ENV_CLUSTERS = "TRELLIS_ECS_CLUSTERS";
    public static final String ENV_PROXY_PORT = "TRELLIS_PROXY_PORT";

    public EcsHookSettings {
        Objects.requireNonNull(mesh, "mesh");
        clusters = List.copyOf(clusters);
    }

    /**
     * Reads the settings from environment variables.
     *
     * @throws IllegalArgumentException naming the variable, its value and what was expected
     */
    public static EcsHookSettings fromEnvironment(Map<String, String> environment) {
        String mesh = environment.getOrDefault(ENV_MESH, "").strip();
        if (mesh.isEmpty()) {
            throw new IllegalArgumentException(ENV_MESH + ": " + show(environment.get(ENV_MESH))
                    + " (expected: the mesh name, such as shop)");
        }
        List<String> clusters = Arrays.stream(environment.getOrDefault(ENV_CLUSTERS, "").split(","))
                .map(String::strip).filter(c -> !c.isEmpty()).toList();
        if (clusters.isEmpty()) {
            throw new IllegalArgumentException(ENV_CLUSTERS + ": " + show(environment.get(ENV_CLUSTERS))
                    + " (expected: ECS cluster names or ARNs, comma-separated)");
        }
        int port = MeshPorts.INBOUND;
        String portText = environment.get(ENV_PROXY_PORT);
        if (portText != null && !portText.isBlank()) {
            try {
                port = Integer.parseInt(portText.strip());
            } catch (NumberFormatException e) {
                port = -1;
            }
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException(ENV_PROXY_PORT + ": " + show(portText) + " (expected: 1..65535)");
            }
        }
        return new EcsHookSettings(mesh, clusters, port);
    }

    private static String show(String value) {
        return value == null ? "missing" : "\"" + value + "\"";
    }
}
