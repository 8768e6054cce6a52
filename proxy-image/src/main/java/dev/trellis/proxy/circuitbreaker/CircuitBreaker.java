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
