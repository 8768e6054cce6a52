package dev.trellis.controller.spec;

import dev.trellis.spec.InvalidSpecException;
import dev.trellis.spec.MeshSpec;
import dev.trellis.spec.SpecProblem;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Polls a {@link SpecReader} (neither a file system nor SSM offers a watch that works
 * everywhere) and publishes each new valid spec. A new document that does not validate is
 * refused: its problems are logged, one line each, it is kept as {@link #lastRejection()}, and the
 * last valid spec keeps serving. A document that fails to read changes nothing.
 *
 * <pre>{@code
 * SpecWatcher watcher = SpecWatcher.builder(new FileSpecReader(Path.of("mesh.yaml")))
 *         .interval(Duration.ofSeconds(1)).build();
 * watcher.subscribe(spec -> ...);
 * watcher.start();
 * }</pre>
 */
public final class SpecWatcher implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SpecWatcher.class);

    private final SpecReader<Object> reader;
    private final Duration interval;
    private final Clock clock;
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "spec-watcher");
        t.setDaemon(true);
        return t;
    });
    private final List<Consumer<LoadedSpec>> listeners = new CopyOnWriteArrayList<>();

    private volatile LoadedSpec current;
    private volatile SpecRejection lastRejection;
    private volatile boolean closed;
    // Only the poll thread touches these.
    private Object lastRaw;
    private String lastReadError;

    @SuppressWarnings("unchecked")
    private SpecWatcher(Builder builder) {
        this.reader = (SpecReader<Object>) builder.reader;
        this.interval = builder.interval;
        this.clock = builder.clock;
    }

    public static Builder builder(SpecReader<?> reader) {
        return new Builder(reader);
    }

    /** Called with each new valid spec, on the watcher's thread, in order. */
    public void subscribe(Consumer<LoadedSpec> listener) {
        listeners.add(Objects.requireNonNull(listener, "listener"));
    }

    /** Reads the spec once now (so that a valid one is in place when this returns), then polls. */
    public SpecWatcher start() {
        try {
            scheduler.submit(this::poll).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException("the first spec read failed unexpectedly", e.getCause());
        }
        scheduler.scheduleWithFixedDelay(this::poll, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
        return this;
    }

    /** The spec in force, empty until a valid one was read. */
    public Optional<LoadedSpec> current() {
        return Optional.ofNullable(current);
    }

    /** The last refused document, if one was refused since the controller started. */
    public Optional<SpecRejection> lastRejection() {
        return Optional.ofNullable(lastRejection);
    }

    public String source() {
        return reader.source();
    }

    private void poll() {
        Object raw;
        try {
            raw = reader.fetch();
        } catch (RuntimeException e) {
            if (closed) {
                return;
            }
            String error = e.getMessage();
            if (!Objects.equals(error, lastReadError)) {
                LOG.warn("event=spec.unreadable source={} error=\"{}\" keeping_version={}", reader.source(), error,
                        current != null ? current.version() : "none");
                lastReadError = error;
            }
            return;
        }
        lastReadError = null;
        if (raw.equals(lastRaw)) {
            return;
        }
        lastRaw = raw;
        MeshSpec spec;
        try {
            spec = reader.parse(raw);
        } catch (InvalidSpecException e) {
            List<String> problems = e.problems().stream().map(SpecProblem::toString).toList();
            lastRejection = new SpecRejection(clock.instant(), reader.source(), problems);
            LOG.error("event=spec.rejected source={} problems={} keeping_version={}", reader.source(), problems.size(),
                    current != null ? current.version() : "none");
            for (String problem : problems) {
                LOG.error("event=spec.problem source={} problem=\"{}\"", reader.source(), problem);
            }
            return;
        } catch (RuntimeException e) {
            lastRejection = new SpecRejection(clock.instant(), reader.source(), List.of(String.valueOf(e.getMessage())));
            LOG.error("event=spec.rejected source={} error=\"{}\"", reader.source(), e.getMessage());
            return;
        }
        LoadedSpec loaded = LoadedSpec.of(spec, clock.instant(), reader.source());
        if (current != null && current.version().equals(loaded.version())) {
            return;
        }
        LOG.info("event=spec.loaded source={} mesh={} version={} services={} previous_version={}", reader.source(),
                spec.mesh(), loaded.version(), spec.services().size(), current != null ? current.version() : "none");
        current = loaded;
        for (Consumer<LoadedSpec> listener : listeners) {
            try {
                listener.accept(loaded);
            } catch (RuntimeException e) {
                LOG.error("event=spec.listener.failed version={}", loaded.version(), e);
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        scheduler.shutdownNow();
    }

    /** Settings of a {@link SpecWatcher}. */
    public static final class Builder {
        private final SpecReader<?> reader;
        private Duration interval = Duration.ofSeconds(2);
        private Clock clock = Clock.systemUTC();

        private Builder(SpecReader<?> reader) {
            this.reader = Objects.requireNonNull(reader, "reader");
        }

        /** How often the spec is read; default 2 seconds. */
        public Builder interval(Duration value) {
            if (value.toMillis() < 10) {
                throw new IllegalArgumentException("interval: " + value + " (expected: >= 10ms)");
            }
            this.interval = value;
            return this;
        }

        public Builder clock(Clock value) {
            this.clock = Objects.requireNonNull(value, "clock");
            return this;
        }

        public SpecWatcher build() {
            return new SpecWatcher(this);
        }
    }
}
