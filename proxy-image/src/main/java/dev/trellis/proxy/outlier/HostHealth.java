package dev.trellis.proxy.outlier;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * The outlier state of one host: failures in a row, until when it is ejected, how often it was.
 * It outlives snapshots that keep the host, so that a config push does not pardon a bad host.
 */
public final class HostHealth {

    private final AtomicInteger consecutiveFailures = new AtomicInteger();
    private volatile long ejectedUntilNanos;
    private volatile boolean everEjected;
    private int ejections;

    public boolean ejected(long nowNanos) {
        return everEjected && nowNanos - ejectedUntilNanos < 0;
    }

    public int consecutiveFailures() {
        return consecutiveFailures.get();
    }

    public synchronized int ejections() {
        return ejections;
    }

    /** Nanoseconds of ejection left, 0 when not ejected. */
    public long ejectionRemainingNanos(long nowNanos) {
        return ejected(nowNanos) ? ejectedUntilNanos - nowNanos : 0;
    }

    int recordFailure() {
        return consecutiveFailures.incrementAndGet();
    }

    void recordSuccess() {
        if (consecutiveFailures.get() != 0) {
            consecutiveFailures.set(0);
        }
    }

    /**
     * Ejects for {@code base} times the ejection count. The count falls by one per
     * {@code intervalNanos} spent healthy since the last ejection ended, as in Envoy.
     */
    synchronized long eject(long nowNanos, long baseNanos, long intervalNanos) {
        if (everEjected && intervalNanos > 0) {
            long healthySince = nowNanos - ejectedUntilNanos;
            if (healthySince > 0) {
                ejections = (int) Math.max(0, ejections - healthySince / intervalNanos);
            }
        }
        ejections++;
        long length = baseNanos * ejections;
        ejectedUntilNanos = nowNanos + length;
        everEjected = true;
        consecutiveFailures.set(0);
        return length;
    }
}
