package dev.trellis.eks.annotations;

/** How the application's traffic reaches the proxy. */
public enum Interception {
    /** iptables rules set by an init container redirect every TCP connection (App Mesh's way). */
    TRANSPARENT,
    /** The application is told {@code HTTP_PROXY=http://127.0.0.1:15001}; no privileges needed. */
    EXPLICIT
}
