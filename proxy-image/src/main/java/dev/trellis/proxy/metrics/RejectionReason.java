package dev.trellis.proxy.metrics;

/** Which circuit-breaker threshold made the proxy refuse a request to a cluster (see {@code ConnectionLimits}). */
public enum RejectionReason {
    /** Connections open to the cluster's hosts reached {@code maxConnections}. */
    MAX_CONNECTIONS("max_connections"),
    /** Requests waiting for a connection reached {@code maxPendingRequests}. */
    MAX_PENDING_REQUESTS("max_pending_requests"),
    /** Requests in flight reached {@code maxRequests}. */
    MAX_REQUESTS("max_requests"),
    /** A retry was not sent because the retry budget was spent. */
    RETRY_BUDGET("retry_budget");

    private final String tagValue;

    RejectionReason(String tagValue) {
        this.tagValue = tagValue;
    }

    /** The {@code reason} tag value. */
    public String tagValue() {
        return tagValue;
    }
}
