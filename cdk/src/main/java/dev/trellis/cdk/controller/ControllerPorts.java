package dev.trellis.cdk.controller;

import java.util.List;

/** The controller's ports and checks, the same on ECS and EKS. */
public final class ControllerPorts {
    /**
     * The controller's one HTTP port: snapshots and certificates for proxies, the registry API,
     * status, readiness ({@code /ready}), liveness ({@code /live}) and metrics.
     */
    public static final int HTTP = 9090;
    /** The EKS mutating admission webhook (HTTPS), behind the Kubernetes service's port 443. */
    public static final int WEBHOOK = 9443;
    /** The readiness path, used by ECS, load balancer and Kubernetes checks. */
    public static final String READY_PATH = "/ready";

    private ControllerPorts() {
    }

    /**
     * A container health check that asks {@code GET path} on a local port and wants a 200, with
     * bash's /dev/tcp: the Trellis images carry no curl (see proxy-image/Dockerfile).
     */
    public static List<String> httpCheck(int port, String path) {
        return List.of("CMD", "bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/" + port
                + " && printf 'GET " + path + " HTTP/1.0\\r\\n\\r\\n' >&3 && head -n 1 <&3 | grep -q ' 200 '");
    }
}
