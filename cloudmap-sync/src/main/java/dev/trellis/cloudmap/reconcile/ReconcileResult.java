package dev.trellis.cloudmap.reconcile;

import java.util.List;
import java.util.Objects;

/**
 * What one full reconcile did. Failed steps are listed and simply tried again by the next round:
 * no step is half-applied, and nothing is forgotten, because every round starts from what Cloud Map
 * and ECS say, not from memory.
 *
 * @param registered    instances created (or recreated after a duplicate record was removed)
 * @param updated       instances whose attributes were replaced
 * @param deregistered  instances removed: their task stopped, vanished or left the service
 * @param healthChanged custom health statuses set
 * @param unchanged     instances already right
 * @param waiting       mesh tasks not registered yet: pending, no address, or unhealthy before first registration
 * @param failures      steps that failed, to be retried by the next round
 * @param complete      whether every cluster and every Cloud Map service could be read; when not,
 *                      nothing of the unreadable part was deregistered
 */
public record ReconcileResult(int registered, int updated, int deregistered, int healthChanged, int unchanged,
                              int waiting, List<Failure> failures, boolean complete) {

    public ReconcileResult {
        failures = List.copyOf(failures);
    }

    /** Whether any write was made. */
    public boolean changed() {
        return registered + updated + deregistered + healthChanged > 0;
    }

    /** Whether every step succeeded. */
    public boolean succeeded() {
        return failures.isEmpty() && complete;
    }

    /** Whether a failure is worth retrying soon (throttling, server error, network), which calls for backoff. */
    public boolean retryableFailures() {
        return failures.stream().anyMatch(Failure::retryable);
    }

    /**
     * One failed step.
     *
     * @param step      what was attempted: {@code list-services}, {@code list-instances}, {@code scan-cluster},
     *                  {@code register}, {@code deregister}, {@code health}, {@code describe-extras}, {@code workload}
     * @param target    what it was attempted on (service, cluster or task)
     * @param error     the error, short
     * @param retryable whether trying again may succeed (throttling, 5xx, network)
     */
    public record Failure(String step, String target, String error, boolean retryable) {
        public Failure {
            Objects.requireNonNull(step, "step");
            Objects.requireNonNull(target, "target");
            Objects.requireNonNull(error, "error");
        }
    }
}
