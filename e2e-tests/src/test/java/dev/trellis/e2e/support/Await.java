package dev.trellis.e2e.support;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** Polls a condition until it holds, within a bound; returns how long that took. */
public final class Await {

    private static final long POLL_MILLIS = 10;

    private Await() {
    }

    /**
     * Waits until {@code condition} holds.
     *
     * @return the time it took
     * @throws AssertionError naming {@code what} and the last state when {@code limit} passes first
     */
    public static Duration until(String what, Duration limit, BooleanSupplier condition, Supplier<Object> state)
            throws InterruptedException {
        long start = System.nanoTime();
        long deadline = start + limit.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(what + ": not within " + limit.toMillis() + " ms (last state: "
                        + state.get() + ")");
            }
            Thread.sleep(POLL_MILLIS);
        }
        return Duration.ofNanos(System.nanoTime() - start);
    }

    /** {@link #until(String, Duration, BooleanSupplier, Supplier)} without a state to show. */
    public static Duration until(String what, Duration limit, BooleanSupplier condition) throws InterruptedException {
        return until(what, limit, condition, () -> "n/a");
    }
}
