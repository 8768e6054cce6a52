package dev.trellis.cdk.controller;

/** The controller's ports, the same on ECS and EKS. */
public final class ControllerPorts {
    /** Proxies fetch snapshots and certificates here. */
    public static final int API = 15010;
    /** Readiness ({@code /ready}), liveness ({@code /live}) and metrics. */
    public static final int ADMIN = 15014;
    /** The EKS mutating admission webhook (HTTPS), behind the Kubernetes service's port 443. */
    public static final int WEBHOOK = 9443;
    /** The readiness path on {@link #ADMIN}, used by ECS, load balancer and Kubernetes checks. */
    public static final String READY_PATH = "/ready";

    private ControllerPorts() {
    }
}
