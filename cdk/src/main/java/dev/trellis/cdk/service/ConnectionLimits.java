package dev.trellis.cdk.service;

/**
 * Circuit breaker thresholds per proxy, over {@link dev.trellis.spec.ConnectionLimits}; unset
 * fields keep the spec's defaults (1024 each).
 */
public final class ConnectionLimits {

    private final dev.trellis.spec.ConnectionLimits spec;

    private ConnectionLimits(dev.trellis.spec.ConnectionLimits spec) {
        this.spec = spec;
    }

    public static Builder builder() {
        return new Builder();
    }

    public dev.trellis.spec.ConnectionLimits toSpec() {
        return spec;
    }

    public static final class Builder {
        private Integer maxConnections;
        private Integer maxPendingRequests;
        private Integer maxRequests;

        private Builder() {
        }

        public Builder maxConnections(int maxConnections) {
            this.maxConnections = maxConnections;
            return this;
        }

        public Builder maxPendingRequests(int maxPendingRequests) {
            this.maxPendingRequests = maxPendingRequests;
            return this;
        }

        public Builder maxRequests(int maxRequests) {
            this.maxRequests = maxRequests;
            return this;
        }

        public ConnectionLimits build() {
            return new ConnectionLimits(new dev.trellis.spec.ConnectionLimits(maxConnections, maxPendingRequests, maxRequests));
        }
    }
}
