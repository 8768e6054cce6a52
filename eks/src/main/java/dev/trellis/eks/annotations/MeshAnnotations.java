package dev.trellis.eks.annotations;

/**
 * The annotations users put on pods or pod templates, and the namespace label that opts a whole
 * namespace in. Documented in the README; the CDK's EKS integration writes the same names.
 */
public final class MeshAnnotations {
    private static final String PREFIX = "trellis.dev/";

    /** Namespace label: {@code enabled} injects every pod of the namespace unless it opts out. */
    public static final String NAMESPACE_LABEL = PREFIX + "inject";
    /** Pod annotation: {@code "true"} or {@code "false"}; overrides the namespace label. */
    public static final String INJECT = PREFIX + "inject";
    /** The mesh service the pod is an instance of (default: the pod's {@code app} label). */
    public static final String SERVICE = PREFIX + "service";
    /** Its version (default: the pod's {@code version} label, else v1). */
    public static final String VERSION = PREFIX + "version";
    /** The port the application listens on (default: the first container port). */
    public static final String APP_PORT = PREFIX + "app-port";
    /** Comma-separated outbound ports that bypass the proxy, e.g. a database's. */
    public static final String EXCLUDE_OUTBOUND_PORTS = PREFIX + "exclude-outbound-ports";
    /** Comma-separated inbound ports that bypass the proxy, e.g. a metrics port. */
    public static final String EXCLUDE_INBOUND_PORTS = PREFIX + "exclude-inbound-ports";
    /** {@code transparent} (iptables, the default) or {@code explicit} (HTTP_PROXY environment). */
    public static final String INTERCEPTION = PREFIX + "interception";
    /** CPU request of the sidecar, e.g. {@code 100m}. */
    public static final String PROXY_CPU = PREFIX + "proxy-cpu";
    /** Memory request (and limit) of the sidecar, e.g. {@code 128Mi}. */
    public static final String PROXY_MEMORY = PREFIX + "proxy-memory";
    /** Set by the injector on pods it injected, so that a second pass changes nothing. */
    public static final String INJECTED = PREFIX + "injected";

    private MeshAnnotations() {
    }
}
