package dev.trellis.naming;

/**
 * Attributes of a Cloud Map instance registered by Trellis. The first two are the ones AWS
 * itself uses (ECS service discovery, App Mesh), so that other Cloud Map clients understand them.
 */
public final class CloudMapAttributes {
    /** The workload's IPv4 address. */
    public static final String IPV4 = "AWS_INSTANCE_IPV4";
    /** The port peers connect to: the proxy's inbound port. */
    public static final String PORT = "AWS_INSTANCE_PORT";
    /** The availability zone of the workload, for zone-aware routing and dashboards. */
    public static final String AVAILABILITY_ZONE = "AVAILABILITY_ZONE";
    /** The mesh the instance belongs to. */
    public static final String MESH = "TRELLIS_MESH";
    /** The service version the workload runs (v1, v2...). */
    public static final String VERSION = "TRELLIS_VERSION";
    /** What registered it: an ECS task ARN or an EKS pod as namespace/name. */
    public static final String WORKLOAD = "TRELLIS_WORKLOAD";
    /** {@code ecs-task}, {@code eks-pod} or {@code local}. */
    public static final String WORKLOAD_KIND = "TRELLIS_WORKLOAD_KIND";

    private CloudMapAttributes() {
    }
}
