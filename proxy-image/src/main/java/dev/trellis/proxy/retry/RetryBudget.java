package dev.trellis.proxy.retry;

import dev.trellis.spec.RetryPolicy;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Bounds the extra load retries add: over a sliding window of ten one-second buckets, retries
 * may not exceed {@code ratio} of the requests, except that {@code minPerSecond} retries per
 * second are always allowed (Linkerd's budget). Shared by every event loop; lock-free.
 */
public final class RetryBudget {

    private static final int BUCKETS = 10;
    private static final long BUCKET_NANOS = 1_000_000_000L;

    private final double ratio;
    private final long minPerWindow;
    // Per bucket: [epoch second, requests, retries], flattened.
    private final AtomicLongArray buckets = new AtomicLongArray(BUCKETS * 3);
    private final long originNanos = System.nanoTime();

    public RetryBudget(RetryPolicy.Budget budget) {
        this.ratio = budget.ratio();
        this.minPerWindow = (long) budget.minPerSecond() * BUCKETS;
    }

    /** Counts one request (a first try). */
    public void onRequest() {
        add(1, 1);
    }

    /** Takes one retry from the budget; false when the budget is spent and the retry must not be sent. */
    public boolean tryRetry() {
        long requests = 0;
        long retries = 0;
        long now = second();
        for (int i = 0; i < BUCKETS; i++) {
            long epoch = buckets.get(i * 3);
            if (now - epoch < BUCKETS) {
                requests += buckets.get(i * 3 + 1);
                retries += buckets.get(i * 3 + 2);
            }
        }
        if (retries >= Math.max(minPerWindow, (long) (requests * ratio))) {
            return false;
        }
        add(2, 1);
        return true;
    }

    private void add(int field, long delta) {
        long now = second();
        int slot = (int) (now % BUCKETS) * 3;
        long epoch = buckets.get(slot);
        if (epoch != now && buckets.compareAndSet(slot, epoch, now)) {
            // First touch of this bucket in a new second: forget what it held.
            buckets.set(slot + 1, 0);
            buckets.set(slot + 2, 0);
        }
        buckets.addAndGet(slot + field, delta);
    }

    private long second() {
        // Offset by the window so that a fresh bucket (epoch 0) never counts as current.
        return (System.nanoTime() - originNanos) / BUCKET_NANOS + BUCKETS;
    }
}
