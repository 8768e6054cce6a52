package dev.trellis.snapshot.client;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.DoubleSupplier;

/**
 * Exponential backoff with "equal jitter": the n-th consecutive failure waits between half and
 * all of {@code min(max, initial * 2^(n-1))}, so that a fleet of proxies that lost the controller
 * together does not come back in step.
 */
public final class Backoff {

    private final Duration initial;
    private final Duration max;
    private final DoubleSupplier random;

    private Backoff(Duration initial, Duration max, DoubleSupplier random) {
        if (initial.isNegative() || initial.isZero()) {
            throw new IllegalArgumentException("initial: " + initial + " (expected: > 0)");
        }
        if (max.compareTo(initial) < 0) {
            throw new IllegalArgumentException("max: " + max + " (expected: >= initial " + initial + ")");
        }
        this.initial = initial;
        this.max = max;
        this.random = random;
    }

    public static Backoff exponential(Duration initial, Duration max) {
        return new Backoff(initial, max, () -> ThreadLocalRandom.current().nextDouble());
    }

    /** The same, with the given source of randomness in [0, 1): for tests. */
    static Backoff exponential(Duration initial, Duration max, DoubleSupplier random) {
        return new Backoff(initial, max, random);
    }

    /** How long to wait after the given number of consecutive failures (1 for the first). */
    public Duration delay(int failures) {
        int doublings = Math.max(0, Math.min(failures - 1, 30));
        long ceiling = Math.min(max.toMillis(), initial.toMillis() * (1L << doublings));
        long half = ceiling / 2;
        return Duration.ofMillis(half + (long) (random.getAsDouble() * (ceiling - half)));
    }

    public Duration initial() {
        return initial;
    }

    public Duration max() {
        return max;
    }
}
