package dev.trellis.naming;

/**
 * How a workload says which mesh service and version it is: as ECS task tags, as Docker labels
 * or environment of the proxy container, and as Kubernetes pod annotations.
 */
public final class WorkloadLabels {
    public static final String MESH = "trellis.dev/mesh";
    public static final String SERVICE = "trellis.dev/service";
    public static final String VERSION = "trellis.dev/version";

    /** Environment of the proxy container naming the same. */
    public static final String ENV_MESH = "TRELLIS_MESH";
    public static final String ENV_SERVICE = "TRELLIS_SERVICE";
    public static final String ENV_VERSION = "TRELLIS_VERSION";

    /** The version of a workload that names none. */
    public static final String DEFAULT_VERSION = "v1";

    private WorkloadLabels() {
    }
}
