package dev.trellis.proxy.loadbalancer;

/** What a load balancer needs to know about a host. */
public interface BalancedHost {

    /** Requests in flight to this host from this proxy. */
    int inflight();

    /** Peak-EWMA latency in nanoseconds, decayed to {@code nowNanos}; 0 before any response. */
    double latencyEwma(long nowNanos);

    /** Whether the host may take requests: registered healthy and not ejected. */
    boolean available(long nowNanos);
}
