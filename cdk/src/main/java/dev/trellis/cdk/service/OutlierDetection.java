package dev.trellis.cdk.service;

import software.amazon.awscdk.Duration;

/**
 * When a failing host is ejected, over {@link dev.trellis.spec.OutlierDetection}; unset fields keep
 * the spec's defaults (5 failures in a row, 10 s interval, 30 s base ejection, at most 50 %).
 */
public final class OutlierDetection {

    private final dev.trellis.spec.OutlierDetection spec;

    private OutlierDetection(dev.trellis.spec.OutlierDetection spec) {
        this.spec = spec;
    }

    public static Builder builder() {
        return new Builder();
    }

    public dev.trellis.spec.OutlierDetection toSpec() {
        return spec;
    }

    public static final class Builder {
        private Integer consecutiveFailures;
        private Duration interval;
        private Duration baseEjectionTime;
        private Integer maxEjectionPercent;

        private Builder() {
        }

        /** Failures in a row (5xx or connect failure) that eject a host. */
        public Builder consecutiveFailures(int consecutiveFailures) {
            this.consecutiveFailures = consecutiveFailures;
            return this;
        }

        /** How often ejections are reconsidered. */
        public Builder interval(Duration interval) {
            this.interval = interval;
            return this;
        }

        /** The first ejection's length; it grows with every further ejection of the same host. */
        public Builder baseEjectionTime(Duration baseEjectionTime) {
            this.baseEjectionTime = baseEjectionTime;
            return this;
        }

        /** The largest share of a cluster's hosts ejected at once, 0..100. */
        public Builder maxEjectionPercent(int maxEjectionPercent) {
            this.maxEjectionPercent = maxEjectionPercent;
            return this;
        }

        public OutlierDetection build() {
            return new OutlierDetection(new dev.trellis.spec.OutlierDetection(consecutiveFailures,
                    Durations.toJava(interval), Durations.toJava(baseEjectionTime), maxEjectionPercent));
        }
    }
}
