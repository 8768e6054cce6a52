package dev.trellis.cloudmap.ecs;

import dev.trellis.naming.WorkloadLabels;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import software.amazon.awssdk.services.ecs.EcsClient;

/**
 * The ECS tasks of the configured clusters that belong to one mesh.
 *
 * <p>A task belongs to mesh {@code M} when its tags say {@code trellis.dev/mesh=M} and name a
 * {@code trellis.dev/service}, or when its task definition's proxy container sets
 * {@code TRELLIS_MESH=M} and {@code TRELLIS_SERVICE}; a tag wins over the environment field by
 * field, and the version is {@code trellis.dev/version}, {@code TRELLIS_VERSION} or
 * {@value WorkloadLabels#DEFAULT_VERSION}. Task definitions are immutable per ARN, so each is
 * described once and kept.
 *
 * <pre>{@code
 * EcsTaskSource source = EcsTaskSource.builder()
 *         .client(aws.ecs())
 *         .mesh("shop")
 *         .clusters("prod-a", "prod-b")        // names or ARNs
 *         .build();
 * }</pre>
 *
 * <p>Thread-safe.
 */
public final class EcsTaskSource {

    private static final int TASK_DEFINITION_CACHE_LIMIT = 10_000;

    private final EcsTaskApi api;
    private final String mesh;
    private final List<String> clusters;
    private final Map<String, Map<String, String>> proxyEnvironments = new ConcurrentHashMap<>();

    private EcsTaskSource(Builder builder) {
        this.api = builder.api;
        this.mesh = builder.mesh;
        this.clusters = List.copyOf(builder.clusters);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The mesh whose tasks this source reports. */
    public String mesh() {
        return mesh;
    }

    /** The configured clusters, as given (names or ARNs). */
    public List<String> clusters() {
        return clusters;
    }

    /** Whether a cluster (name or ARN) is one of the configured ones. */
    public boolean watches(String clusterArnOrName) {
        String name = EcsClusters.name(clusterArnOrName);
        return clusters.stream().anyMatch(c -> EcsClusters.name(c).equals(name));
    }

    /**
     * The mesh tasks ECS wants running in one cluster, in every state (a listed task may already
     * be stopping). ListTasks, then DescribeTasks with tags.
     */
    public List<MeshTask> scan(String cluster) {
        List<String> arns = api.listTaskArns(cluster);
        return arns.isEmpty() ? List.of() : inMesh(api.describeTasks(cluster, arns));
    }

    /** These tasks as ECS describes them now (unknown ones are left out), whether in the mesh or not. */
    public List<EcsTask> describe(String cluster, List<String> taskArns) {
        return taskArns.isEmpty() ? List.of() : api.describeTasks(cluster, List.copyOf(new LinkedHashSet<>(taskArns)));
    }

    /** The tasks that belong to the mesh, with their service and version. */
    public List<MeshTask> inMesh(List<EcsTask> tasks) {
        List<MeshTask> members = new ArrayList<>();
        for (EcsTask task : tasks) {
            membership(task).ifPresent(members::add);
        }
        return members;
    }

    /** The task's mesh service and version, when it belongs to this mesh. */
    public Optional<MeshTask> membership(EcsTask task) {
        Map<String, String> tags = task.tags();
        Map<String, String> environment = Map.of();
        if (!tags.containsKey(WorkloadLabels.MESH) || !tags.containsKey(WorkloadLabels.SERVICE)) {
            environment = proxyEnvironment(task.taskDefinitionArn());
        }
        String taskMesh = firstOf(tags.get(WorkloadLabels.MESH), environment.get(WorkloadLabels.ENV_MESH));
        String service = firstOf(tags.get(WorkloadLabels.SERVICE), environment.get(WorkloadLabels.ENV_SERVICE));
        if (!mesh.equals(taskMesh) || service == null) {
            return Optional.empty();
        }
        String version = firstOf(tags.get(WorkloadLabels.VERSION), environment.get(WorkloadLabels.ENV_VERSION));
        return Optional.of(new MeshTask(task, mesh, service, version == null ? WorkloadLabels.DEFAULT_VERSION : version));
    }

    private Map<String, String> proxyEnvironment(String taskDefinitionArn) {
        if (taskDefinitionArn == null) {
            return Map.of();
        }
        Map<String, String> known = proxyEnvironments.get(taskDefinitionArn);
        if (known != null) {
            return known;
        }
        Map<String, String> environment = Map.copyOf(api.proxyEnvironment(taskDefinitionArn));
        if (proxyEnvironments.size() >= TASK_DEFINITION_CACHE_LIMIT) {
            proxyEnvironments.clear(); // rare; a bound matters more than the hit rate
        }
        proxyEnvironments.put(taskDefinitionArn, environment);
        return environment;
    }

    private static String firstOf(String first, String second) {
        if (first != null && !first.isBlank()) {
            return first;
        }
        return second == null || second.isBlank() ? null : second;
    }

    @Override
    public String toString() {
        return "EcsTaskSource{mesh=" + mesh + ", clusters=" + clusters + "}";
    }

    /** Builds an {@link EcsTaskSource}; the ECS calls, the mesh and at least one cluster are required. */
    public static final class Builder {
        private EcsTaskApi api;
        private String mesh;
        private final Set<String> clusters = new LinkedHashSet<>();

        private Builder() {
        }

        /** Uses the SDK client (not closed by the source). */
        public Builder client(EcsClient client) {
            this.api = EcsTaskApi.of(Objects.requireNonNull(client, "client"));
            return this;
        }

        /** Uses these calls, such as the SDK's wrapped by a decorator. */
        public Builder api(EcsTaskApi api) {
            this.api = api;
            return this;
        }

        /** The mesh name. Required. */
        public Builder mesh(String mesh) {
            this.mesh = mesh;
            return this;
        }

        /** Adds clusters to watch, by name or ARN. At least one is required. */
        public Builder clusters(String... clusters) {
            return clusters(List.of(clusters));
        }

        /** Adds clusters to watch, by name or ARN. */
        public Builder clusters(List<String> clusters) {
            for (String cluster : clusters) {
                if (cluster == null || cluster.isBlank()) {
                    throw new IllegalArgumentException("clusters: " + (cluster == null ? "null" : "\"" + cluster + "\"")
                            + " (expected: an ECS cluster name or ARN)");
                }
                this.clusters.add(cluster.strip());
            }
            return this;
        }

        public EcsTaskSource build() {
            if (api == null) {
                throw new IllegalArgumentException("api: null (expected: .client(EcsClient) or .api(EcsTaskApi))");
            }
            if (mesh == null || mesh.isBlank()) {
                throw new IllegalArgumentException("mesh: " + (mesh == null ? "null" : "\"" + mesh + "\"")
                        + " (expected: the mesh name, such as shop)");
            }
            if (clusters.isEmpty()) {
                throw new IllegalArgumentException("clusters: [] (expected: at least one ECS cluster name or ARN)");
            }
            return new EcsTaskSource(this);
        }
    }
}
