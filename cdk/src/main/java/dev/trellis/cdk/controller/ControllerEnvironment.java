package dev.trellis.cdk.controller;

/**
 * The environment the constructs start the controller (and the Lambda hooks) with: everything
 * the controller needs to find its mesh's resources, so that it reads no CloudFormation.
 */
public final class ControllerEnvironment {
    /** The mesh's name. */
    public static final String MESH = "TRELLIS_MESH";
    /** Where the spec is read from: {@code ssm:/trellis/<mesh>}. */
    public static final String SPEC_SOURCE = "TRELLIS_SPEC_SOURCE";
    /** The Cloud Map namespace id the mesh's services live in. */
    public static final String NAMESPACE_ID = "TRELLIS_CLOUDMAP_NAMESPACE_ID";
    /** The Cloud Map namespace name, e.g. {@code shop.local}. */
    public static final String NAMESPACE_NAME = "TRELLIS_CLOUDMAP_NAMESPACE_NAME";
    /** The Secrets Manager ARN of the mesh CA (certificate and key, PEM, JSON). */
    public static final String CA_SECRET_ARN = "TRELLIS_CA_SECRET_ARN";
    /** The SPIFFE trust domain. */
    public static final String TRUST_DOMAIN = "TRELLIS_TRUST_DOMAIN";
    /** Comma-separated ARNs of the ECS clusters whose tasks the controller watches. */
    public static final String ECS_CLUSTERS = "TRELLIS_ECS_CLUSTERS";
    /** The CloudWatch metric namespace the proxies publish to (the canary hook reads it). */
    public static final String METRICS_NAMESPACE = "TRELLIS_METRICS_NAMESPACE";
    /** The proxy image the EKS webhook injects. */
    public static final String PROXY_IMAGE = "TRELLIS_PROXY_IMAGE";
    /** Where injected proxies reach the controller. */
    public static final String CONTROLLER_URL = "TRELLIS_CONTROLLER_URL";
    /** The controller admin API's bearer token (revocations), from its own secret. */
    public static final String ADMIN_TOKEN = "TRELLIS_ADMIN_TOKEN";
    /** The Kubernetes namespace the controller runs in (EKS). */
    public static final String POD_NAMESPACE = "TRELLIS_POD_NAMESPACE";

    private ControllerEnvironment() {
    }
}
