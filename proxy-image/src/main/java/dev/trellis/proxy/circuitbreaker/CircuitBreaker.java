package dev.trellis.proxy.circuitbreaker;

import dev.trellis.spec.ConnectionLimits;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The thresholds of one cluster, shared by every event loop: connections open, requests
 * waiting for a connection, requests in flight. Each {@code tryAcquire} that succeeds must be
 * paired with one {@code release}. A new snapshot may change the limits; the counts carry on.
 */
public final class CircuitBreaker {

    private volatile ConnectionLimits limits;
    private final AtomicInteger connections = new AtomicInteger();
    private final AtomicInteger pending = new AtomicInteger();
    private final AtomicInteger requests = new AtomicInteger();
    private final ConcurrentLinkedQueue<Runnable> connectionWaiters = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<Runnable> idleHolders = new ConcurrentLinkedQueue<>();

    public CircuitBreaker(ConnectionLimits limits) {
        this.limits = limits;
    }

    public void limits(ConnectionLimits newLimits) {
        this.limits = newLimits;
    }

    public ConnectionLimits limits() {
        return limits;
    }

    public boolean tryAcquireRequest() {
        return tryAcquire(requests, limits.maxRequests());
    }

    public void releaseRequest() {
        requests.decrementAndGet();
    }

    public boolean tryAcquireConnection() {
        return tryAcquire(connections, limits.maxConnections());
    }

    /** Frees a connection slot, and wakes one pool waiting for a slot (pools are per event loop). */
    public void releaseConnection() {
        connections.decrementAndGet();
        wakeConnectionWaiter();
    }

    /**
     * Registers {@code wakeup} to run (once) when a connection slot frees up: a pool of one event
     * loop waits for slots that connections of other loops hold.
     */
    public void awaitConnection(Runnable wakeup) {
        connectionWaiters.add(wakeup);
        // A slot held by an idle connection of some pool (another event loop's, or another host's) is freed for it.
        reclaimIdle();
    }

    /**
     * Registers a pool that keeps idle connections: {@code closeOne} (run at most once per
     * registration, from any thread) closes one of them on the pool's event loop, or calls
     * {@link #reclaimIdle} when it has none left.
     */
    public void holdsIdle(Runnable closeOne) {
        idleHolders.add(closeOne);
    }

    /** Asks one pool that keeps idle connections to close one, so that its slot goes to a waiting pool. */
    public void reclaimIdle() {
        Runnable holder = idleHolders.poll();
        if (holder != null) {
            holder.run();
        }
    }

    /**
     * Withdraws one registration of {@link #awaitConnection} that is no longer needed (its pool
     * was served otherwise); false when none was left.
     */
    public boolean cancelAwaitConnection(Runnable wakeup) {
        return connectionWaiters.remove(wakeup);
    }

    /** Whether some pool waits for a connection slot: an idle connection should then close, not idle. */
    public boolean hasConnectionWaiters() {
        return !connectionWaiters.isEmpty();
    }

    /** Passes a free slot on to the next waiting pool, if any. */
    public void wakeConnectionWaiter() {
        Runnable wakeup = connectionWaiters.poll();
        if (wakeup != null) {
            wakeup.run();
        }
    }

    public boolean tryAcquirePending() {
        return tryAcquire(pending, limits.maxPendingRequests());
    }

    public void releasePending() {
        pending.decrementAndGet();
    }

    public int requests() {
        return requests.get();
    }

    public int connections() {
        return connections.get();
    }

    public int pending() {
        return pending.get();
    }

    private static boolean tryAcquire(AtomicInteger counter, int max) {
        for (;;) {
            int current = counter.get();
            if (current >= max) {
                return false;
            }
            if (counter.compareAndSet(current, current + 1)) {
                return true;
            }
        }
    }
}
