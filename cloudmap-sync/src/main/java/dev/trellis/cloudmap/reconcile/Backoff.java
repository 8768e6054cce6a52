package dev.trellis.cloudmap.reconcile;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Exponential backoff with full jitter (a random delay between zero and {@code base * 2^(n-1)},
 * capped at {@code max}), as AWS recommends, so that several controllers and Lambdas throttled at
 * the same moment do not come back at the same moment.
 */
public final class Backoff {

    private final Duration base;
    private final Duration max;

    private Backoff(Duration base, Duration max) {
        this.base = base;
        this.max = max;
    }

    /**
     * @throws IllegalArgumentException when base is not positive or max is below base
     */
    public static Backoff exponential(Duration base, Duration max) {
        if (base == null || base.isNegative() || base.isZero()) {
            throw new IllegalArgumentException("base: " + base + " (expected: > 0)");
        }
        if (max == null || max.compareTo(base) < 0) {
            throw new IllegalArgumentException("max: " + max + " (expected: >= base " + base + ")");
        }
        return new Backoff(base, max);
    }

    /** The cap for the {@code attempt}-th retry (1 for the first): {@code min(max, base * 2^(attempt-1))}. */
    public Duration ceiling(int attempt) {
        if (attempt < 1) {
            throw new IllegalArgumentException("attempt: " + attempt + " (expected: >= 1)");
        }
        int shift = Math.min(attempt - 1, 30);
        long nanos = base.toNanos() > (Long.MAX_VALUE >> shift) ? Long.MAX_VALUE : base.toNanos() << shift;
        return Duration.ofNanos(Math.min(nanos, max.toNanos()));
    }

    /** A random delay in {@code [0, ceiling(attempt)]}. */
    public Duration delay(int attempt) {
        return Duration.ofNanos(ThreadLocalRandom.current().nextLong(ceiling(attempt).toNanos() + 1));
    }

    @Override
    public String toString() {
        return "Backoff{base=" + base + ", max=" + max + ", full jitter}";
    }
}
