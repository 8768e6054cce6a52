package dev.trellis.controller.snapshots;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/** What the snapshot server needs, and all it depends on: the current snapshots and watches on them. */
public interface SnapshotFeed {

    /** The services of the spec in force, in name order; empty before a valid spec was loaded. */
    List<String> services();

    /** Whether a valid spec was loaded. */
    boolean ready();

    /** The current snapshot of a service, sealed off the caller's thread; completes with null for an unknown service. */
    CompletableFuture<SealedSnapshot> current(String service);

    /**
     * Calls {@code callback} once, off the caller's thread, as soon as the service's snapshot has a
     * version other than {@code heldVersion} (at once if it already has), or with null if the
     * service leaves the spec. Never calls it after {@link Watch#cancel()} returned true.
     */
    Watch watch(String service, String heldVersion, Consumer<SealedSnapshot> callback);
}
