package dev.trellis.naming;

/** The proxy's well-known ports and user, the same as App Mesh's Envoy sidecar. */
public final class MeshPorts {
    /** Peers reach the local application through this port. */
    public static final int INBOUND = 15000;
    /** The local application reaches other services through this port. */
    public static final int OUTBOUND = 15001;
    /** Readiness, liveness, metrics and config dump. */
    public static final int ADMIN = 9901;
    /** The proxy runs as this user, so that interception rules can exempt its own traffic. */
    public static final int PROXY_UID = 1337;

    private MeshPorts() {
    }
}
