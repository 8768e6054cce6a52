package dev.trellis.controller.snapshots;

/** A parked request for a snapshot other than the one a proxy holds. */
public interface Watch {
    /** Stops the watch; true if it had not fired yet (so its callback will never be called). */
    boolean cancel();
}
