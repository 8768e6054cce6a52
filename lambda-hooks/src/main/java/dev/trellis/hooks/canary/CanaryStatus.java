package dev.trellis.hooks.canary;

/** Where a canary rollout stands. */
public enum CanaryStatus {
    /** Weight is being moved step by step. */
    PROGRESSING,
    /** The canary takes every request: the rollout succeeded. */
    PROMOTED,
    /** The canary failed its checks and takes no requests. */
    ROLLED_BACK,
    /** Someone else changed the route's weights mid-rollout; the driver stopped and left them. */
    ABORTED;

    /** Whether the rollout is over: invocations after it change nothing. */
    public boolean isFinal() {
        return this != PROGRESSING;
    }
}
