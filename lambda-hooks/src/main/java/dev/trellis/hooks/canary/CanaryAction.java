package dev.trellis.hooks.canary;

/** What one invocation of the driver did. */
public enum CanaryAction {
    /** Wrote the first step's weights. */
    START,
    /** Wrote the next step's weights (the last step completes the rollout). */
    PROMOTE,
    /** Changed nothing: the step is not due, traffic is too thin, or a check failed below the limit. */
    HOLD,
    /** Wrote weight 0 for the canary. */
    ROLLBACK,
    /** Found weights it did not write, and stopped. */
    ABORT,
    /** The rollout was already over. */
    NONE
}
