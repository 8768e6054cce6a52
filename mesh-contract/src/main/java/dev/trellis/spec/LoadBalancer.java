package dev.trellis.spec;

/** How a proxy picks one endpoint among the healthy ones of a cluster. */
public enum LoadBalancer {
    ROUND_ROBIN,
    /** Power of two random choices, the one with fewer requests in flight wins. */
    LEAST_REQUEST,
    /** Exponentially weighted moving average of latency, times requests in flight (Finagle/Linkerd). */
    EWMA
}
