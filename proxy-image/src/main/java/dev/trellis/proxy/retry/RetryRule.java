package dev.trellis.proxy.retry;

import dev.trellis.spec.GrpcStatus;
import dev.trellis.spec.RetryEvent;
import dev.trellis.spec.RetryPolicy;
import java.util.EnumSet;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A route's retry policy compiled for the request path: which events and statuses are
 * retriable, how many retries, how long to wait before each (exponential backoff with full
 * jitter), and the per-try timeout. Immutable.
 */
public final class RetryRule {

    private final int attempts;
    private final EnumSet<RetryEvent> events;
    private final boolean[] retriableStatus = new boolean[600];
    private final boolean[] retriableGrpc = new boolean[17];
    private final long perTryTimeoutNanos;
    private final long backoffBaseNanos;
    private final long backoffMaxNanos;

    private RetryRule(RetryPolicy policy) {
        this.attempts = policy.attempts();
        this.events = policy.on().isEmpty() ? EnumSet.noneOf(RetryEvent.class) : EnumSet.copyOf(policy.on());
        if (events.contains(RetryEvent.RETRIABLE_STATUS_CODES)) {
            for (int code : policy.statusCodes()) {
                if (code >= 100 && code < 600) {
                    retriableStatus[code] = true;
                }
            }
        }
        for (GrpcStatus status : policy.grpcStatuses()) {
            retriableGrpc[status.code()] = true;
        }
        this.perTryTimeoutNanos = policy.perTryTimeout() == null ? 0 : policy.perTryTimeout().toNanos();
        this.backoffBaseNanos = policy.backoff().base().toNanos();
        this.backoffMaxNanos = policy.backoff().max().toNanos();
    }

    public static RetryRule of(RetryPolicy policy) {
        return new RetryRule(policy);
    }

    /** Retries after the first try. */
    public int attempts() {
        return attempts;
    }

    /** The per-try timeout in nanoseconds, or 0 when only the request timeout applies. */
    public long perTryTimeoutNanos() {
        return perTryTimeoutNanos;
    }

    public boolean retriesOn(RetryEvent event) {
        return attempts > 0 && events.contains(event);
    }

    /**
     * Whether a response with this status (and gRPC status, -1 when none is in its headers) may
     * be retried under this rule.
     */
    public boolean retriesResponse(int status, int grpcStatus) {
        if (attempts == 0) {
            return false;
        }
        if (status >= 500 && events.contains(RetryEvent.SERVER_ERROR)) {
            return true;
        }
        if ((status == 502 || status == 503 || status == 504) && events.contains(RetryEvent.GATEWAY_ERROR)) {
            return true;
        }
        if (status >= 100 && status < 600 && retriableStatus[status]) {
            return true;
        }
        return grpcStatus >= 0 && grpcStatus < retriableGrpc.length && retriableGrpc[grpcStatus];
    }

    /**
     * The wait before retry number {@code retry} (1 for the first retry): uniformly random in
     * [0, min(max, base * 2^(retry-1))], "full jitter", so that retrying callers spread out.
     */
    public long backoffNanos(int retry) {
        int shift = Math.min(Math.max(retry - 1, 0), 30);
        long ceiling = backoffBaseNanos << shift;
        if (ceiling <= 0 || ceiling > backoffMaxNanos) {
            ceiling = backoffMaxNanos;
        }
        return ceiling <= 0 ? 0 : ThreadLocalRandom.current().nextLong(ceiling + 1);
    }
}
