package dev.trellis.cloudmap.reconcile;

import java.util.Objects;

/**
 * What {@link CloudMapReconciler#onTaskStateChange} did with one event.
 *
 * @param action  what happened
 * @param taskArn the event's task
 * @param detail  why, in a few words
 */
public record EventOutcome(Action action, String taskArn, String detail) {

    public EventOutcome {
        Objects.requireNonNull(action, "action");
        Objects.requireNonNull(taskArn, "taskArn");
        Objects.requireNonNull(detail, "detail");
    }

    /** The possible results of handling one event. */
    public enum Action {
        /** The task's instance was created or its attributes replaced. */
        REGISTERED,
        /** The task began to stop and its instance was removed. */
        DEREGISTERED,
        /** Cloud Map already matched the task (the instance was there, or already gone). */
        UNCHANGED,
        /** Only the instance's health status was set. */
        HEALTH_CHANGED,
        /** The task is in the mesh but not ready to register: pending, no address, or unhealthy. */
        WAITING,
        /** An event older than (or a duplicate of) one already handled; nothing was done. */
        IGNORED_STALE,
        /** The task does not belong to this mesh. */
        IGNORED_NOT_IN_MESH,
        /** The task runs in a cluster this reconciler does not watch. */
        IGNORED_OTHER_CLUSTER
    }
}
