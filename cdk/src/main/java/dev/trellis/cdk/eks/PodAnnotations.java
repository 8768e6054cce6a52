package dev.trellis.cdk.eks;

/**
 * What users put on pods (or pod templates) and namespaces to join the mesh; the controller's
 * admission webhook reads exactly these names.
 *
 * <pre>
 * # every pod of a namespace:
 * kubectl label namespace shop trellis.dev/inject=enabled
 *
 * # or one workload, in its pod template:
 * metadata:
 *   annotations:
 *     trellis.dev/inject: "true"
 *     trellis.dev/service: orders          # default: the pod's app label
 *     trellis.dev/version: v2              # default: the pod's version label, else v1
 *     trellis.dev/app-port: "8081"         # default: the first container port
 *     trellis.dev/exclude-outbound-ports: "5432"
 *     trellis.dev/proxy-cpu: 100m
 *     trellis.dev/proxy-memory: 128Mi
 * </pre>
 */
public final class PodAnnotations {
    /** Namespace label; {@value #NAMESPACE_LABEL_ENABLED} injects every pod of the namespace. */
    public static final String NAMESPACE_LABEL = "trellis.dev/inject";
    public static final String NAMESPACE_LABEL_ENABLED = "enabled";
    /** {@code "true"} or {@code "false"}; overrides the namespace label. */
    public static final String INJECT = "trellis.dev/inject";
    /** The mesh service the pod is an instance of. */
    public static final String SERVICE = "trellis.dev/service";
    /** The version the pod runs. */
    public static final String VERSION = "trellis.dev/version";
    /** The port the application listens on. */
    public static final String APP_PORT = "trellis.dev/app-port";
    /** Comma-separated outbound ports that bypass the proxy, e.g. a database's. */
    public static final String EXCLUDE_OUTBOUND_PORTS = "trellis.dev/exclude-outbound-ports";
    /** CPU request of the sidecar, e.g. {@code 100m}. */
    public static final String PROXY_CPU = "trellis.dev/proxy-cpu";
    /** Memory request of the sidecar, e.g. {@code 128Mi}. */
    public static final String PROXY_MEMORY = "trellis.dev/proxy-memory";

    private PodAnnotations() {
    }
}
