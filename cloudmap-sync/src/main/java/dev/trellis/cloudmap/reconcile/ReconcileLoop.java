package dev.trellis.cloudmap.reconcile;

import dev.trellis.cloudmap.internal.KeyValueLine;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs {@link CloudMapReconciler#reconcile()} periodically on one daemon thread: every
 * {@code interval} while rounds succeed; after a round with retryable failures (throttling,
 * server errors, network) sooner or later by {@link Backoff} (exponential, full jitter), growing
 * with each failed round in a row, so throttled controllers spread out; after a success the
 * interval again. A round that throws is logged and counted as failed; the loop keeps going.
 *
 * <pre>{@code
 * try (ReconcileLoop loop = ReconcileLoop.builder(reconciler).interval(Duration.ofSeconds(30)).start()) {
 *     ...
 * }
 * }</pre>
 */
public final class ReconcileLoop implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger("dev.trellis.cloudmap.reconcile");

    private final CloudMapReconciler reconciler;
    private final Duration interval;
    private final Backoff backoff;
    private final ScheduledExecutorService executor;
    private final AtomicInteger failedRoundsInARow = new AtomicInteger();
    private final AtomicInteger rounds = new AtomicInteger();
    private final AtomicReference<ReconcileResult> lastResult = new AtomicReference<>();

    private ReconcileLoop(Builder builder) {
        this.reconciler = builder.reconciler;
        this.interval = builder.interval;
        this.backoff = builder.backoff;
        this.executor = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "trellis-cloudmap-reconcile-" + reconciler.mesh());
            thread.setDaemon(true);
            return thread;
        });
    }

    public static Builder builder(CloudMapReconciler reconciler) {
        return new Builder(reconciler);
    }

    /** The result of the last finished round, if any. */
    public Optional<ReconcileResult> lastResult() {
        return Optional.ofNullable(lastResult.get());
    }

    /** How many rounds have finished (failed ones included). */
    public int rounds() {
        return rounds.get();
    }

    /** Stops the loop; a running round finishes first (waits up to 10 s). */
    @Override
    public void close() {
        executor.shutdownNow();
        try {
            executor.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private ReconcileLoop begin(Duration initialDelay) {
        executor.schedule(this::runRound, initialDelay.toNanos(), TimeUnit.NANOSECONDS);
        return this;
    }

    private void runRound() {
        Duration next;
        try {
            ReconcileResult result = reconciler.reconcile();
            lastResult.set(result);
            next = nextDelay(!result.succeeded(), result.retryableFailures());
        } catch (RuntimeException e) {
            LOG.error(KeyValueLine.of("action", "reconcile", "result", "crashed", "mesh", reconciler.mesh(),
                    "error", e.toString()), e);
            next = nextDelay(true, true);
        } finally {
            rounds.incrementAndGet();
        }
        if (!executor.isShutdown()) {
            executor.schedule(this::runRound, next.toNanos(), TimeUnit.NANOSECONDS);
        }
    }

    /** The delay before the next round: the interval after a success, else the backoff for the failures in a row. */
    Duration nextDelay(boolean failed, boolean retryable) {
        if (!failed || !retryable) {
            failedRoundsInARow.set(0);
            return interval;
        }
        Duration delay = backoff.delay(failedRoundsInARow.incrementAndGet());
        LOG.info(KeyValueLine.of("action", "reconcile.backoff", "mesh", reconciler.mesh(),
                "failedRounds", failedRoundsInARow.get(), "delayMs", delay.toMillis()));
        return delay;
    }

    /** Builds and starts a {@link ReconcileLoop}. */
    public static final class Builder {
        private final CloudMapReconciler reconciler;
        private Duration interval = Duration.ofSeconds(30);
        private Duration initialDelay = Duration.ZERO;
        private Backoff backoff = Backoff.exponential(Duration.ofSeconds(1), Duration.ofMinutes(2));

        private Builder(CloudMapReconciler reconciler) {
            this.reconciler = Objects.requireNonNull(reconciler, "reconciler");
        }

        /** Time between successful rounds; 30 s by default. */
        public Builder interval(Duration interval) {
            if (interval == null || interval.isNegative() || interval.isZero()) {
                throw new IllegalArgumentException("interval: " + interval + " (expected: > 0)");
            }
            this.interval = interval;
            return this;
        }

        /** Delay before the first round; none by default. */
        public Builder initialDelay(Duration initialDelay) {
            if (initialDelay == null || initialDelay.isNegative()) {
                throw new IllegalArgumentException("initialDelay: " + initialDelay + " (expected: >= 0)");
            }
            this.initialDelay = initialDelay;
            return this;
        }

        /** Delay after rounds with retryable failures; 1 s doubling up to 2 min, full jitter, by default. */
        public Builder backoff(Backoff backoff) {
            this.backoff = Objects.requireNonNull(backoff, "backoff");
            return this;
        }

        /** Starts the loop on its own daemon thread. */
        public ReconcileLoop start() {
            return new ReconcileLoop(this).begin(initialDelay);
        }
    }
}
