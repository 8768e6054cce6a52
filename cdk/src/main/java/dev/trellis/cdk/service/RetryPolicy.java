package dev.trellis.cdk.service;

import dev.trellis.spec.GrpcStatus;
import dev.trellis.spec.RetryEvent;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import software.amazon.awscdk.Duration;

/**
 * When and how often a failed request is tried again, over {@link dev.trellis.spec.RetryPolicy}.
 * Unset fields keep the spec's defaults (2 retries on connect failure, reset and gateway error,
 * 25 ms backoff base, a 20 % retry budget); the spec module validates the values at synth.
 *
 * <pre>{@code
 * RetryPolicy.builder()
 *         .attempts(3)
 *         .on(RetryEvent.SERVER_ERROR, RetryEvent.CONNECT_FAILURE)
 *         .perTryTimeout(Duration.millis(300))
 *         .build();
 * }</pre>
 */
public final class RetryPolicy {

    private final dev.trellis.spec.RetryPolicy spec;

    private RetryPolicy(dev.trellis.spec.RetryPolicy spec) {
        this.spec = spec;
    }

    /** No retries at all. */
    public static RetryPolicy none() {
        return new RetryPolicy(dev.trellis.spec.RetryPolicy.NONE);
    }

    public static Builder builder() {
        return new Builder();
    }

    public dev.trellis.spec.RetryPolicy toSpec() {
        return spec;
    }

    public static final class Builder {
        private Integer attempts;
        private List<RetryEvent> on;
        private List<Integer> statusCodes;
        private List<GrpcStatus> grpcStatuses;
        private Duration perTryTimeout;
        private Duration backoffBase;
        private Duration backoffMax;
        private Double budgetRatio;
        private Integer budgetMinPerSecond;

        private Builder() {
        }

        /** Retries after the first try, 0..10. */
        public Builder attempts(int attempts) {
            this.attempts = attempts;
            return this;
        }

        /** The events that make a try retriable; replaces the default set. */
        public Builder on(RetryEvent... events) {
            this.on = List.of(events);
            return this;
        }

        /** Statuses retried when {@link RetryEvent#RETRIABLE_STATUS_CODES} is among the events. */
        public Builder statusCodes(Integer... codes) {
            this.statusCodes = new ArrayList<>(Arrays.asList(codes));
            return this;
        }

        /** gRPC statuses retried, for grpc services. */
        public Builder grpcStatuses(GrpcStatus... statuses) {
            this.grpcStatuses = List.of(statuses);
            return this;
        }

        /** The limit of one try; without it only the request timeout applies. */
        public Builder perTryTimeout(Duration perTryTimeout) {
            this.perTryTimeout = perTryTimeout;
            return this;
        }

        /** Exponential backoff with full jitter between {@code base} and {@code max}. */
        public Builder backoff(Duration base, Duration max) {
            this.backoffBase = base;
            this.backoffMax = max;
            return this;
        }

        /** The share of requests that may be retried, with a floor of retries always allowed per second. */
        public Builder budget(double ratio, int minPerSecond) {
            this.budgetRatio = ratio;
            this.budgetMinPerSecond = minPerSecond;
            return this;
        }

        public RetryPolicy build() {
            dev.trellis.spec.RetryPolicy.Backoff backoff = backoffBase == null && backoffMax == null ? null
                    : new dev.trellis.spec.RetryPolicy.Backoff(Durations.toJava(backoffBase), Durations.toJava(backoffMax));
            dev.trellis.spec.RetryPolicy.Budget budget = budgetRatio == null ? null
                    : new dev.trellis.spec.RetryPolicy.Budget(budgetRatio, budgetMinPerSecond);
            return new RetryPolicy(new dev.trellis.spec.RetryPolicy(attempts, on, statusCodes, grpcStatuses,
                    Durations.toJava(perTryTimeout), backoff, budget));
        }
    }
}
