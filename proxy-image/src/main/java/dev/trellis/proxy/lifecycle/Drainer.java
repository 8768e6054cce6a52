package dev.trellis.proxy.lifecycle;

import io.netty.channel.Channel;
import io.netty.util.concurrent.EventExecutorGroup;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import java.util.Collection;

/**
 * Shuts the proxy down without cutting requests in flight. A drain, once started, runs on its own
 * non-daemon thread:
 *
 * <ol>
 *   <li>{@link #isDraining()} turns true and the {@link Builder#onDrainStart} actions run (the admin
 *       port's {@code /ready} answers 503; the data plane answers with {@code Connection: close} and
 *       closes idle keep-alive connections);</li>
 *   <li>the listeners' server channels close: new connections are refused;</li>
 *   <li>it waits until the active-connection count reaches 0, or the drain timeout passes;</li>
 *   <li>the event loop groups shut down (closing whatever is still open), then the
 *       {@link Builder#thenClose} resources close in order (admin port, metrics' last CloudWatch
 *       step, access log flush).</li>
 * </ol>
 *
 * <pre>{@code
 * Drainer drainer = Drainer.builder()
 *         .serverChannels(server::serverChannels)
 *         .activeConnections(() -> metrics.connections(INBOUND).active() + metrics.connections(OUTBOUND).active())
 *         .eventLoopGroups(bossGroup, workerGroup)
 *         .drainTimeout(Duration.ofSeconds(20))
 *         .thenClose(admin, accessLog, metrics)
 *         .build();
 * drainer.drainOnTermination();          // SIGTERM or SIGINT starts the drain
 * drainer.whenDrained().join();          // main thread: then exit 0
 * }</pre>
 */
public final class Drainer {

    /** Default drain timeout: inside ECS's and Kubernetes' 30 s stop grace period, with room to exit. */
    public static final Duration DEFAULT_DRAIN_TIMEOUT = Duration.ofSeconds(20);

    private static final System.Logger LOG = System.getLogger(Drainer.class.getName());
    private static final long POLL_MILLIS = 10;

    private final Supplier<? extends Collection<Channel>> serverChannels;
    private final LongSupplier activeConnections;
    private final List<EventExecutorGroup> eventLoopGroups;
    private final Duration drainTimeout;
    private final List<Runnable> onDrainStart;
    private final List<AutoCloseable> thenClose;
    private final AtomicBoolean started = new AtomicBoolean();
    private final CompletableFuture<DrainResult> result = new CompletableFuture<>();

    private Drainer(Builder builder) {
        this.serverChannels = builder.serverChannels;
        this.activeConnections = builder.activeConnections;
        this.eventLoopGroups = List.copyOf(builder.eventLoopGroups);
        this.drainTimeout = builder.drainTimeout;
        this.onDrainStart = List.copyOf(builder.onDrainStart);
        this.thenClose = List.copyOf(builder.thenClose);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Whether a drain has started: the data plane finishes what it has and takes nothing new. */
    public boolean isDraining() {
        return started.get();
    }

    /**
     * Starts the drain, once; later calls return the same result. Never blocks: the drain runs on
     * a thread of its own, which keeps the JVM alive until it is done.
     */
    public CompletableFuture<DrainResult> drain() {
        if (started.compareAndSet(false, true)) {
            Thread thread = new Thread(this::runDrain, "trellis-drain");
            thread.setDaemon(false);
            thread.start();
        }
        return result;
    }

    /** {@link #drain()} for callers that want no result, such as {@code POST /drain}. */
    public void drainAsync() {
        drain();
    }

    /** Completes when a drain is over; never starts one. The main thread waits on it, then exits 0. */
    public CompletableFuture<DrainResult> whenDrained() {
        return result;
    }

    /**
     * Starts the drain on SIGTERM or SIGINT. The handlers replace the JVM's own, which would run
     * shutdown hooks and exit with status 143 at once, without waiting for requests in flight.
     */
    public void drainOnTermination() {
        for (String signal : List.of("TERM", "INT")) {
            sun.misc.Signal.handle(new sun.misc.Signal(signal), received -> {
                LOG.log(System.Logger.Level.INFO, "SIG{0}: draining for up to {1} ms", received.getName(),
                        drainTimeout.toMillis());
                drain();
            });
        }
    }

    private void runDrain() {
        long start = System.nanoTime();
        try {
            for (Runnable action : onDrainStart) {
                runQuietly(action::run, "a drain-start action");
            }
            for (Channel channel : serverChannels.get()) {
                channel.close().awaitUninterruptibly();
            }
            long deadline = start + drainTimeout.toNanos();
            long left = activeConnections.getAsLong();
            while (left > 0 && System.nanoTime() - deadline < 0) {
                Thread.sleep(POLL_MILLIS);
                left = activeConnections.getAsLong();
            }
            for (EventExecutorGroup group : eventLoopGroups) {
                group.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
            }
            for (EventExecutorGroup group : eventLoopGroups) {
                group.terminationFuture().awaitUninterruptibly(5, TimeUnit.SECONDS);
            }
            for (AutoCloseable closeable : thenClose) {
                runQuietly(closeable::close, closeable.toString());
            }
            DrainResult done = new DrainResult(left == 0, left, Duration.ofNanos(System.nanoTime() - start));
            LOG.log(done.clean() ? System.Logger.Level.INFO : System.Logger.Level.WARNING,
                    "drained in {0} ms, {1} connection(s) closed by force", done.took().toMillis(), left);
            result.complete(done);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            result.completeExceptionally(e);
        } catch (RuntimeException | Error e) {
            result.completeExceptionally(e);
        }
    }

    private interface Step {
        void run() throws Exception;
    }

    private static void runQuietly(Step step, String what) {
        try {
            step.run();
        } catch (Exception e) {
            // One failing step must not keep the rest of the shutdown from happening.
            LOG.log(System.Logger.Level.WARNING, "drain: closing " + what + " failed", e);
        }
    }

    /** Builds a {@link Drainer}. Not thread-safe. */
    public static final class Builder {
        private Supplier<? extends Collection<Channel>> serverChannels = List::of;
        private LongSupplier activeConnections = () -> 0;
        private final List<EventExecutorGroup> eventLoopGroups = new ArrayList<>();
        private Duration drainTimeout = DEFAULT_DRAIN_TIMEOUT;
        private final List<Runnable> onDrainStart = new ArrayList<>();
        private final List<AutoCloseable> thenClose = new ArrayList<>();

        private Builder() {
        }

        /** The listeners' server channels, asked for when the drain starts (so later binds count). */
        public Builder serverChannels(Supplier<? extends Collection<Channel>> serverChannels) {
            this.serverChannels = Objects.requireNonNull(serverChannels, "serverChannels");
            return this;
        }

        /** Connections from callers still open; the drain waits for 0. */
        public Builder activeConnections(LongSupplier activeConnections) {
            this.activeConnections = Objects.requireNonNull(activeConnections, "activeConnections");
            return this;
        }

        /** Shut down, in order, once connections are gone or the timeout passed. */
        public Builder eventLoopGroups(EventExecutorGroup... groups) {
            for (EventExecutorGroup group : groups) {
                eventLoopGroups.add(Objects.requireNonNull(group, "eventLoopGroups[]"));
            }
            return this;
        }

        /** How long in-flight work may take before it is cut; default 20 s. */
        public Builder drainTimeout(Duration drainTimeout) {
            if (drainTimeout == null || drainTimeout.isNegative()) {
                throw new IllegalArgumentException("drainTimeout: " + drainTimeout + " (expected: PT0S or more)");
            }
            this.drainTimeout = drainTimeout;
            return this;
        }

        /** Runs first, on the drain thread, when the drain starts; must not block for long. */
        public Builder onDrainStart(Runnable action) {
            onDrainStart.add(Objects.requireNonNull(action, "onDrainStart"));
            return this;
        }

        /** Closed in order after the event loops stopped. */
        public Builder thenClose(AutoCloseable... closeables) {
            for (AutoCloseable closeable : closeables) {
                thenClose.add(Objects.requireNonNull(closeable, "thenClose[]"));
            }
            return this;
        }

        public Drainer build() {
            return new Drainer(this);
        }
    }
}
