package dev.trellis.proxy.fault;

import dev.trellis.spec.FaultInjection;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A route's fault injection compiled for the request path: for each request, whether to abort
 * it with a status, and how long to delay it before forwarding. Immutable.
 */
public final class FaultInjector {

    private static final FaultInjector NONE = new FaultInjector(0, 0, 0, 0);

    private final long delayNanos;
    private final double delayPercent;
    private final int abortStatus;
    private final double abortPercent;

    private FaultInjector(long delayNanos, double delayPercent, int abortStatus, double abortPercent) {
        this.delayNanos = delayNanos;
        this.delayPercent = delayPercent;
        this.abortStatus = abortStatus;
        this.abortPercent = abortPercent;
    }

    public static FaultInjector of(FaultInjection fault) {
        if (fault == null) {
            return NONE;
        }
        long delay = fault.delay() == null || fault.delay().fixed() == null ? 0 : fault.delay().fixed().toNanos();
        double delayPercent = fault.delay() == null ? 0 : fault.delay().percent();
        int status = fault.abort() == null || fault.abort().status() == null ? 0 : fault.abort().status();
        double abortPercent = fault.abort() == null ? 0 : fault.abort().percent();
        return new FaultInjector(delay, delayPercent, status, abortPercent);
    }

    public boolean isActive() {
        return this != NONE;
    }

    /** The status to abort this request with, or 0 to let it through. */
    public int abortStatus() {
        return abortStatus != 0 && draw(abortPercent) ? abortStatus : 0;
    }

    /** How long to hold this request before forwarding it, 0 for not at all. */
    public long delayNanos() {
        return delayNanos != 0 && draw(delayPercent) ? delayNanos : 0;
    }

    private static boolean draw(double percent) {
        return percent >= 100 || (percent > 0 && ThreadLocalRandom.current().nextDouble(100) < percent);
    }
}
