package dev.trellis.snapshot;

import java.util.function.Consumer;

/**
 * Where a proxy's snapshots come from: a file (local mode, tests), the controller (long-poll),
 * or Cloud Map directly when the controller stays away. The proxy depends on this alone.
 */
public interface SnapshotSource extends AutoCloseable {

    /**
     * Starts delivering snapshots. The listener is called with each new, checked snapshot, never
     * twice in a row with the same version, and never concurrently with itself.
     */
    void start(Consumer<ProxySnapshot> listener);

    /** Stops delivering; no call to the listener starts after this returns. */
    @Override
    void close();
}
