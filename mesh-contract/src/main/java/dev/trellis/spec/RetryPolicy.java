package dev.trellis.spec;

import java.time.Duration;
import java.util.List;

/**
 * When and how often a failed request is tried again, on another host where one exists.
 * Defaults match App Mesh and ECS Service Connect: 2 retries on connect failure, reset and
 * gateway error, 25 ms base backoff with full jitter up to 250 ms, and a budget of 20 % of
 * requests with at least 10 retries per second (Linkerd's budget).
 *
 * @param attempts retries after the first try (0 turns retries off)
 * @param on the events that make a try retriable
 * @param statusCodes extra statuses retried when {@code on} holds retriable-status-codes
 * @param grpcStatuses gRPC statuses retried for grpc services
 * @param perTryTimeout limit of one try; null means only the request timeout applies
 * @param backoff delay between tries
 * @param budget how many retries the proxy may add on top of the requests it forwards
 */
public record RetryPolicy(
        Integer attempts,
        List<RetryEvent> on,
        List<Integer> statusCodes,
        List<GrpcStatus> grpcStatuses,
        Duration perTryTimeout,
        Backoff backoff,
        Budget budget) {

    public static final RetryPolicy DEFAULT = new RetryPolicy(null, null, null, null, null, null, null);
    public static final RetryPolicy NONE = new RetryPolicy(0, List.of(), null, null, null, null, null);

    public RetryPolicy {
        attempts = attempts != null ? attempts : 2;
        on = on != null ? List.copyOf(on)
                : List.of(RetryEvent.CONNECT_FAILURE, RetryEvent.RESET, RetryEvent.GATEWAY_ERROR);
        statusCodes = statusCodes != null ? List.copyOf(statusCodes) : List.of();
        grpcStatuses = grpcStatuses != null ? List.copyOf(grpcStatuses) : List.of();
        backoff = backoff != null ? backoff : Backoff.DEFAULT;
        budget = budget != null ? budget : Budget.DEFAULT;
    }

    /** Whether an event makes a try retriable under this policy. */
    public boolean retriesOn(RetryEvent event) {
        return attempts > 0 && on.contains(event);
    }

    /**
     * Exponential backoff with full jitter: try n waits a random time in [0, min(max, base * 2^n)].
     *
     * @param base the first interval
     * @param max the cap of any interval
     */
    public record Backoff(Duration base, Duration max) {
        public static final Backoff DEFAULT = new Backoff(null, null);

        public Backoff {
            base = base != null ? base : Duration.ofMillis(25);
            max = max != null ? max : base.multipliedBy(10);
        }
    }

    /**
     * A retry budget: retries in flight may not exceed {@code ratio} of requests, except that
     * {@code minPerSecond} retries are always allowed.
     *
     * @param ratio share of requests that may be retried, 0..1
     * @param minPerSecond retries always allowed per second, whatever the ratio
     */
    public record Budget(Double ratio, Integer minPerSecond) {
        public static final Budget DEFAULT = new Budget(null, null);

        public Budget {
            ratio = ratio != null ? ratio : 0.2;
            minPerSecond = minPerSecond != null ? minPerSecond : 10;
        }
    }
}
