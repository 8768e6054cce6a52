package dev.trellis.spec;

/**
 * Circuit breaker thresholds of one upstream cluster, per proxy (Envoy's defaults).
 *
 * @param maxConnections connections open to the cluster's hosts
 * @param maxPendingRequests requests waiting for a connection
 * @param maxRequests requests in flight
 */
public record ConnectionLimits(Integer maxConnections, Integer maxPendingRequests, Integer maxRequests) {

    public static final ConnectionLimits DEFAULT = new ConnectionLimits(null, null, null);

    public ConnectionLimits {
        maxConnections = maxConnections != null ? maxConnections : 1024;
        maxPendingRequests = maxPendingRequests != null ? maxPendingRequests : 1024;
        maxRequests = maxRequests != null ? maxRequests : 1024;
    }
}
