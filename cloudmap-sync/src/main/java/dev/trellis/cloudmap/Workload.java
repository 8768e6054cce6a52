package dev.trellis.cloudmap;

import dev.trellis.naming.CloudMapAttributes;
import dev.trellis.naming.MeshPorts;
import dev.trellis.naming.WorkloadLabels;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * One running copy of a mesh service, as Cloud Map should show it: where peers reach its proxy,
 * which service and version it runs, what runs it, and whether it is healthy.
 *
 * <pre>{@code
 * Workload task = Workload.builder()
 *         .mesh("shop").service("orders").version("v2")
 *         .address("10.0.1.23")              // the task's ENI address; port defaults to 15000
 *         .zone("us-east-1a")
 *         .ecsTask("arn:aws:ecs:us-east-1:123456789012:task/prod/0123456789abcdef0123456789abcdef")
 *         .build();
 * }</pre>
 *
 * <p>Immutable; equal when every field is equal.
 */
public final class Workload {

    /** Cloud Map's instance id rule: 1 to 64 of these characters. */
    private static final Pattern INSTANCE_ID = Pattern.compile("[0-9a-zA-Z_/:.@-]{1,64}");
    /** Mesh and service names become Cloud Map and DNS names. */
    private static final Pattern NAME = Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");
    private static final Pattern IPV4 =
            Pattern.compile("((25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)\\.){3}(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)");
    private static final Pattern VERSION = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,62}");

    private final String mesh;
    private final String service;
    private final String version;
    private final String address;
    private final int port;
    private final String zone;
    private final String workloadId;
    private final WorkloadKind kind;
    private final boolean healthy;

    private Workload(Builder builder) {
        this.mesh = builder.mesh;
        this.service = builder.service;
        this.version = builder.version;
        this.address = builder.address;
        this.port = builder.port;
        this.zone = builder.zone;
        this.workloadId = builder.workloadId;
        this.kind = builder.kind;
        this.healthy = builder.healthy;
    }

    /** A builder; mesh, service, address, workload id and kind are required. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding this workload's values, to derive a changed copy. */
    public Builder toBuilder() {
        Builder builder = new Builder();
        builder.mesh = mesh;
        builder.service = service;
        builder.version = version;
        builder.address = address;
        builder.port = port;
        builder.zone = zone;
        builder.workloadId = workloadId;
        builder.kind = kind;
        builder.healthy = healthy;
        return builder;
    }

    public String mesh() {
        return mesh;
    }

    public String service() {
        return service;
    }

    /** The service version, {@value WorkloadLabels#DEFAULT_VERSION} unless the workload names one. */
    public String version() {
        return version;
    }

    /** The IPv4 address peers connect to. */
    public String address() {
        return address;
    }

    /** The port peers connect to: the proxy's inbound port, {@value MeshPorts#INBOUND} by default. */
    public int port() {
        return port;
    }

    /** The availability zone, when known. */
    public Optional<String> zone() {
        return Optional.ofNullable(zone);
    }

    /** The ECS task ARN, the pod's {@code namespace/name}, or the local process's name. */
    public String workloadId() {
        return workloadId;
    }

    public WorkloadKind kind() {
        return kind;
    }

    /** Whether the workload passes its health checks (or reports none). */
    public boolean healthy() {
        return healthy;
    }

    /**
     * The Cloud Map instance id, derived only from the workload id so that every registrar (any
     * controller, a Lambda, a restart) picks the same one: the task id of an ECS task ARN, the
     * workload id itself when Cloud Map accepts it, otherwise the kind and a hash of the id.
     */
    public String instanceId() {
        return instanceIdOf(kind, workloadId);
    }

    /** The instance id {@link #instanceId()} would give a workload of this kind and id. */
    public static String instanceIdOf(WorkloadKind kind, String workloadId) {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(workloadId, "workloadId");
        String candidate = kind == WorkloadKind.ECS_TASK ? ecsTaskId(workloadId) : workloadId;
        if (INSTANCE_ID.matcher(candidate).matches()) {
            return candidate;
        }
        return kind.attributeValue() + "-" + sha256(workloadId).substring(0, 40);
    }

    /** The task id, the last segment of an ECS task ARN (or the value itself when it is not an ARN). */
    public static String ecsTaskId(String taskArn) {
        int slash = taskArn.lastIndexOf('/');
        return slash >= 0 && slash < taskArn.length() - 1 ? taskArn.substring(slash + 1) : taskArn;
    }

    /**
     * The Cloud Map instance attributes: {@code AWS_INSTANCE_IPV4}, {@code AWS_INSTANCE_PORT},
     * {@code AVAILABILITY_ZONE} (when known), {@code TRELLIS_MESH}, {@code TRELLIS_VERSION},
     * {@code TRELLIS_WORKLOAD} and {@code TRELLIS_WORKLOAD_KIND}. Health is not an attribute: it is
     * the instance's custom health status.
     */
    public Map<String, String> attributes() {
        Map<String, String> attributes = new LinkedHashMap<>();
        attributes.put(CloudMapAttributes.IPV4, address);
        attributes.put(CloudMapAttributes.PORT, Integer.toString(port));
        if (zone != null) {
            attributes.put(CloudMapAttributes.AVAILABILITY_ZONE, zone);
        }
        attributes.put(CloudMapAttributes.MESH, mesh);
        attributes.put(CloudMapAttributes.VERSION, version);
        attributes.put(CloudMapAttributes.WORKLOAD, workloadId);
        attributes.put(CloudMapAttributes.WORKLOAD_KIND, kind.attributeValue());
        return Map.copyOf(attributes);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Workload that
                && port == that.port && healthy == that.healthy && mesh.equals(that.mesh)
                && service.equals(that.service) && version.equals(that.version) && address.equals(that.address)
                && Objects.equals(zone, that.zone) && workloadId.equals(that.workloadId) && kind == that.kind;
    }

    @Override
    public int hashCode() {
        return Objects.hash(mesh, service, version, address, port, zone, workloadId, kind, healthy);
    }

    @Override
    public String toString() {
        return "Workload{mesh=" + mesh + ", service=" + service + ", version=" + version + ", address=" + address
                + ":" + port + (zone == null ? "" : ", zone=" + zone) + ", " + kind.attributeValue() + "="
                + workloadId + ", healthy=" + healthy + "}";
    }

    private static String sha256(String value) {
        try {
            return HexFormat.of().formatHex(
                    MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    /** Builds a {@link Workload}; {@link #build()} names the first invalid field and the value received. */
    public static final class Builder {
        private String mesh;
        private String service;
        private String version = WorkloadLabels.DEFAULT_VERSION;
        private String address;
        private int port = MeshPorts.INBOUND;
        private String zone;
        private String workloadId;
        private WorkloadKind kind;
        private boolean healthy = true;

        private Builder() {
        }

        /** The mesh name, such as {@code shop}. Required. */
        public Builder mesh(String mesh) {
            this.mesh = mesh;
            return this;
        }

        /** The mesh service name, such as {@code orders}. Required. */
        public Builder service(String service) {
            this.service = service;
            return this;
        }

        /** The service version; {@value WorkloadLabels#DEFAULT_VERSION} when not set or {@code null}. */
        public Builder version(String version) {
            this.version = version == null ? WorkloadLabels.DEFAULT_VERSION : version;
            return this;
        }

        /** The IPv4 address peers connect to. Required. */
        public Builder address(String address) {
            this.address = address;
            return this;
        }

        /** The port peers connect to; {@value MeshPorts#INBOUND} (the proxy's inbound port) by default. */
        public Builder port(int port) {
            this.port = port;
            return this;
        }

        /** The availability zone; {@code null} or blank when unknown. */
        public Builder zone(String zone) {
            this.zone = zone == null || zone.isBlank() ? null : zone;
            return this;
        }

        /** What runs the workload and its id. Required (or one of the shortcuts). */
        public Builder workload(WorkloadKind kind, String workloadId) {
            this.kind = kind;
            this.workloadId = workloadId;
            return this;
        }

        /** Shortcut for {@code workload(WorkloadKind.ECS_TASK, taskArn)}. */
        public Builder ecsTask(String taskArn) {
            return workload(WorkloadKind.ECS_TASK, taskArn);
        }

        /** Shortcut for {@code workload(WorkloadKind.EKS_POD, namespace + "/" + name)}. */
        public Builder eksPod(String namespace, String name) {
            return workload(WorkloadKind.EKS_POD, namespace + "/" + name);
        }

        /** Whether it passes its health checks; {@code true} by default. */
        public Builder healthy(boolean healthy) {
            this.healthy = healthy;
            return this;
        }

        /**
         * The workload.
         *
         * @throws IllegalArgumentException {@code field: value (expected: ...)} for the first invalid field
         */
        public Workload build() {
            require("mesh", mesh, NAME, "a DNS label: lowercase letters, digits and '-', 1 to 63 characters");
            require("service", service, NAME, "a DNS label: lowercase letters, digits and '-', 1 to 63 characters");
            require("version", version, VERSION, "1 to 63 letters, digits, '.', '_' or '-', such as v2");
            require("address", address, IPV4, "an IPv4 address such as 10.0.1.23");
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException("port: " + port + " (expected: 1..65535)");
            }
            if (kind == null) {
                throw new IllegalArgumentException("kind: null (expected: ecs-task, eks-pod or local)");
            }
            if (workloadId == null || workloadId.isBlank() || workloadId.length() > 1024) {
                throw new IllegalArgumentException("workloadId: " + quote(workloadId)
                        + " (expected: the task ARN, pod namespace/name or process name, 1 to 1024 characters)");
            }
            return new Workload(this);
        }

        private static void require(String field, String value, Pattern pattern, String expected) {
            if (value == null || !pattern.matcher(value).matches()) {
                throw new IllegalArgumentException(field + ": " + quote(value) + " (expected: " + expected + ")");
            }
        }

        private static String quote(String value) {
            return value == null ? "null" : "\"" + value + "\"";
        }
    }
}
