package dev.trellis.proxy.config;

import dev.trellis.snapshot.ProxySnapshot;
import dev.trellis.snapshot.SnapshotSource;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * A source started ahead of the proxy, so that its first snapshot is known before the proxy is
 * built (its identity names the certificate to ask for, its mesh and service tag the metrics).
 * The proxy's later {@link #start} gets the newest snapshot at once, then every further one.
 */
public final class PrimedSnapshotSource implements SnapshotSource {

    private final SnapshotSource delegate;
    private final CompletableFuture<ProxySnapshot> first = new CompletableFuture<>();
    private ProxySnapshot latest;
    private Consumer<ProxySnapshot> listener;

    private PrimedSnapshotSource(SnapshotSource delegate) {
        this.delegate = delegate;
    }

    /**
     * Starts {@code delegate} and waits up to {@code timeout} for its first snapshot.
     *
     * @throws TimeoutException when none came in time (the delegate is closed then)
     */
    public static PrimedSnapshotSource prime(SnapshotSource delegate, Duration timeout) throws Exception {
        PrimedSnapshotSource primed = new PrimedSnapshotSource(delegate);
        delegate.start(primed::deliver);
        try {
            primed.first.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            delegate.close();
            throw new TimeoutException("first snapshot: none within " + timeout + " (expected: a snapshot from the source)");
        }
        return primed;
    }

    /** The first snapshot the source delivered. */
    public ProxySnapshot first() {
        return first.join();
    }

    private synchronized void deliver(ProxySnapshot snapshot) {
        latest = snapshot;
        first.complete(snapshot);
        if (listener != null) {
            listener.accept(snapshot);
        }
    }

    @Override
    public synchronized void start(Consumer<ProxySnapshot> proxyListener) {
        this.listener = proxyListener;
        proxyListener.accept(latest);
    }

    @Override
    public void close() {
        delegate.close();
    }
}
