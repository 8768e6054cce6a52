package dev.trellis.snapshot.client;

import dev.trellis.snapshot.InvalidSnapshotException;
import dev.trellis.snapshot.ProxySnapshot;
import dev.trellis.snapshot.SnapshotSource;
import dev.trellis.snapshot.Snapshots;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Snapshots from the controller, by long-poll: {@code GET /v1/snapshots/<service>} with
 * {@code If-None-Match: "<version held>"} and {@code Prefer: wait=<seconds>}; the controller
 * answers {@code 200} with a new snapshot as soon as there is one, or {@code 304} when the wait
 * ends. One request is in flight at a time, so the listener is never called concurrently.
 *
 * <ul>
 *   <li>Only checked snapshots are applied: {@link Snapshots#fromJson} verifies consistency and
 *       that the version is the hash of the content; a bad one is logged and dropped.</li>
 *   <li>With a {@link Builder#snapshotFile snapshot file}, each new snapshot is persisted
 *       atomically, and a restarted proxy starts from it: it asks the controller once without
 *       waiting, and applies the persisted snapshot if the controller agrees ({@code 304}) or does
 *       not answer.</li>
 *   <li>Failures are retried with exponential backoff and jitter ({@link Backoff}).</li>
 *   <li>With a {@link Builder#cloudMapFallback Cloud Map fallback}, once the controller has been
 *       away for {@link Builder#fallbackAfter}, every retry also refreshes the endpoints of the
 *       last snapshot from Cloud Map ({@link CloudMapFallback}), at most once per
 *       {@link Builder#fallbackInterval} (one DiscoverInstances per mesh service each time), until the
 *       controller answers.</li>
 * </ul>
 *
 * <pre>{@code
 * SnapshotSource source = ControllerSnapshotSource.builder(URI.create("http://controller:9090"), "orders")
 *         .proxyId("orders-7f9c")
 *         .snapshotFile(Path.of("/var/lib/trellis/snapshot.json"))
 *         .cloudMapFallback(CloudMapFallback.of(CloudMapDirectory.of(aws.serviceDiscovery())))
 *         .build();
 * source.start(proxy::apply);
 * }</pre>
 */
public final class ControllerSnapshotSource implements SnapshotSource {

    /** The header naming the proxy, for the controller's status page. */
    public static final String PROXY_HEADER = "X-Trellis-Proxy";

    private static final Logger LOG = LoggerFactory.getLogger(ControllerSnapshotSource.class);

    /** Where the snapshot came from that the listener was last given. */
    public enum Origin { NONE, CONTROLLER, PERSISTED, CLOUD_MAP }

    private final URI snapshotUri;
    private final String service;
    private final String proxyId;
    private final Duration wait;
    private final Backoff backoff;
    private final Duration fallbackAfter;
    private final Duration fallbackInterval;
    private final CloudMapFallback fallback;
    private final SnapshotFile file;
    private final HttpClient http;
    private final ScheduledExecutorService scheduler;
    private final boolean ownsScheduler;
    private final Clock clock;

    private final Object lock = new Object();
    // Guarded by lock.
    private Consumer<ProxySnapshot> listener;
    private boolean closed;
    private ProxySnapshot applied;
    private Origin origin = Origin.NONE;
    // Touched only by the one poll chain (one step at a time).
    private ProxySnapshot fromController;
    private ProxySnapshot persisted;
    private int failures;
    private Instant failingSince;
    private Instant lastFallback;

    private ControllerSnapshotSource(Builder b) {
        this.service = b.service;
        this.snapshotUri = b.controller.resolve("/v1/snapshots/" + URLEncoder.encode(b.service, StandardCharsets.UTF_8));
        this.proxyId = b.proxyId;
        this.wait = b.wait;
        this.backoff = b.backoff;
        this.fallbackAfter = b.fallbackAfter;
        this.fallbackInterval = b.fallbackInterval;
        this.fallback = b.fallback;
        this.file = b.file;
        this.http = b.http != null ? b.http
                : HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).version(HttpClient.Version.HTTP_1_1).build();
        this.ownsScheduler = b.scheduler == null;
        this.scheduler = b.scheduler != null ? b.scheduler : Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "snapshot-client-" + service);
            t.setDaemon(true);
            return t;
        });
        this.clock = b.clock;
    }

    /**
     * @param controller the controller's base URI, e.g. {@code http://127.0.0.1:9090}
     * @param service the mesh service whose proxy this is
     */
    public static Builder builder(URI controller, String service) {
        return new Builder(controller, service);
    }

    @Override
    public void start(Consumer<ProxySnapshot> newListener) {
        synchronized (lock) {
            if (listener != null) {
                throw new IllegalStateException("started: already (expected: one start per source)");
            }
            if (closed) {
                throw new IllegalStateException("closed: true (expected: a source that was not closed)");
            }
            listener = Objects.requireNonNull(newListener, "listener");
        }
        persisted = file == null ? null : file.load()
                .filter(s -> service.equals(s.service()))
                .orElse(null);
        if (persisted != null) {
            LOG.info("event=snapshot.persisted.found service={} version={} path={}", service, persisted.version(),
                    file.path());
        }
        scheduler.execute(this::poll);
    }

    /** The version the listener was last given, if any. */
    public Optional<String> appliedVersion() {
        synchronized (lock) {
            return Optional.ofNullable(applied).map(ProxySnapshot::version);
        }
    }

    /** Where the applied snapshot came from. */
    public Origin origin() {
        synchronized (lock) {
            return origin;
        }
    }

    @Override
    public void close() {
        synchronized (lock) {
            closed = true;
        }
        if (ownsScheduler) {
            scheduler.shutdownNow();
        }
    }

    private boolean isClosed() {
        synchronized (lock) {
            return closed;
        }
    }

    private void poll() {
        if (isClosed()) {
            return;
        }
        String held = fromController != null ? fromController.version()
                : persisted != null ? persisted.version() : null;
        // A restarted proxy with a persisted snapshot asks without waiting: it should not hold
        // back its configuration for a whole long-poll if the controller agrees with it.
        Duration thisWait = fromController == null && persisted != null ? Duration.ZERO : wait;
        HttpRequest.Builder request = HttpRequest.newBuilder(snapshotUri)
                .timeout(thisWait.plusSeconds(15))
                .header("Prefer", "wait=" + thisWait.toSeconds())
                .header(PROXY_HEADER, proxyId)
                .GET();
        if (held != null) {
            request.header("If-None-Match", "\"" + held + "\"");
        }
        try {
            http.sendAsync(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8))
                    .whenComplete((response, error) -> {
                        try {
                            if (error != null) {
                                onFailure("unreachable", error.toString());
                            } else {
                                onResponse(response);
                            }
                        } catch (RuntimeException e) {
                            LOG.error("event=snapshot.client.bug service={}", service, e);
                            scheduleRetry();
                        }
                    });
        } catch (RuntimeException e) {
            onFailure("request", e.toString());
        }
    }

    private void onResponse(HttpResponse<String> response) {
        switch (response.statusCode()) {
            case 200 -> {
                ProxySnapshot snapshot;
                try {
                    snapshot = Snapshots.fromJson(response.body());
                } catch (InvalidSnapshotException e) {
                    onFailure("invalid-snapshot", e.getMessage());
                    return;
                }
                if (!service.equals(snapshot.service())) {
                    onFailure("wrong-service", "service: " + snapshot.service() + " (expected: " + service + ")");
                    return;
                }
                recovered();
                fromController = snapshot;
                persisted = null;
                if (apply(snapshot, Origin.CONTROLLER) && file != null) {
                    try {
                        file.save(snapshot);
                    } catch (RuntimeException e) {
                        LOG.warn("event=snapshot.persist.failed service={} error=\"{}\"", service, e.getMessage());
                    }
                }
                scheduler.execute(this::poll);
            }
            case 304 -> {
                recovered();
                if (fromController == null && persisted != null) {
                    // The controller holds the version we persisted: it is current.
                    fromController = persisted;
                    persisted = null;
                    apply(fromController, Origin.CONTROLLER);
                } else if (fromController != null && origin() == Origin.CLOUD_MAP) {
                    apply(fromController, Origin.CONTROLLER);
                }
                scheduler.execute(this::poll);
            }
            default -> onFailure("status-" + response.statusCode(), abbreviate(response.body()));
        }
    }

    private void recovered() {
        if (failures > 0) {
            LOG.info("event=controller.reachable service={} after_failures={}", service, failures);
        }
        failures = 0;
        failingSince = null;
        lastFallback = null;
    }

    private void onFailure(String reason, String detail) {
        if (isClosed()) {
            return;
        }
        failures++;
        Instant now = clock.instant();
        if (failingSince == null) {
            failingSince = now;
        }
        LOG.warn("event=snapshot.poll.failed service={} reason={} failures={} detail=\"{}\"",
                service, reason, failures, detail);
        if (persisted != null && fromController == null && origin() == Origin.NONE) {
            apply(persisted, Origin.PERSISTED);
        }
        if (fallback != null && !Duration.between(failingSince, now).minus(fallbackAfter).isNegative()
                && (lastFallback == null || !Duration.between(lastFallback, now).minus(fallbackInterval).isNegative())) {
            lastFallback = now;
            refreshFromCloudMap();
        }
        scheduleRetry();
    }

    private void refreshFromCloudMap() {
        ProxySnapshot base = fromController != null ? fromController : persisted;
        if (base == null) {
            LOG.warn("event=snapshot.fallback.skipped service={} reason=no-snapshot-yet", service);
            return;
        }
        try {
            apply(fallback.refresh(base), Origin.CLOUD_MAP);
        } catch (RuntimeException e) {
            LOG.warn("event=snapshot.fallback.failed service={} error=\"{}\"", service, e.toString());
        }
    }

    private void scheduleRetry() {
        if (isClosed()) {
            return;
        }
        Duration delay = backoff.delay(Math.max(1, failures));
        try {
            scheduler.schedule(this::poll, delay.toMillis(), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // Closed meanwhile.
        }
    }

    /** Gives the listener the snapshot unless it already has that version; true if it was given. */
    private boolean apply(ProxySnapshot snapshot, Origin from) {
        synchronized (lock) {
            if (closed) {
                return false;
            }
            origin = from;
            if (applied != null && applied.version().equals(snapshot.version())) {
                return false;
            }
            applied = snapshot;
            LOG.info("event=snapshot.applied service={} version={} origin={}", service, snapshot.version(), from);
            listener.accept(snapshot);
            return true;
        }
    }

    private static String abbreviate(String body) {
        String oneLine = body == null ? "" : body.replace('\n', ' ').replace('"', '\'');
        return oneLine.length() > 200 ? oneLine.substring(0, 200) + "..." : oneLine;
    }

    /** Settings of a {@link ControllerSnapshotSource}; only the controller and service are required. */
    public static final class Builder {
        private final URI controller;
        private final String service;
        private String proxyId;
        private Duration wait = Duration.ofSeconds(30);
        private Backoff backoff = Backoff.exponential(Duration.ofMillis(200), Duration.ofSeconds(10));
        private Duration fallbackAfter = Duration.ofSeconds(60);
        private Duration fallbackInterval = Duration.ofSeconds(30);
        private CloudMapFallback fallback;
        private SnapshotFile file;
        private HttpClient http;
        private ScheduledExecutorService scheduler;
        private Clock clock = Clock.systemUTC();

        private Builder(URI controller, String service) {
            this.controller = Objects.requireNonNull(controller, "controller");
            if (service == null || service.isBlank()) {
                throw new IllegalArgumentException("service: " + service + " (expected: a mesh service name)");
            }
            this.service = service;
            this.proxyId = service + "-" + ProcessHandle.current().pid();
        }

        /** Names this proxy in the controller's status; defaults to {@code <service>-<pid>}. */
        public Builder proxyId(String id) {
            this.proxyId = Objects.requireNonNull(id, "proxyId");
            return this;
        }

        /** How long the controller may hold a request open; 1 to 60 seconds, default 30. */
        public Builder wait(Duration value) {
            if (value.toSeconds() < 1 || value.toSeconds() > 60) {
                throw new IllegalArgumentException("wait: " + value + " (expected: 1s..60s)");
            }
            this.wait = value;
            return this;
        }

        public Builder backoff(Backoff value) {
            this.backoff = Objects.requireNonNull(value, "backoff");
            return this;
        }

        /** How long the controller must have been away before Cloud Map is read directly; default 60s. */
        public Builder fallbackAfter(Duration value) {
            if (value.isNegative()) {
                throw new IllegalArgumentException("fallbackAfter: " + value + " (expected: >= 0)");
            }
            this.fallbackAfter = value;
            return this;
        }

        /** How often Cloud Map is read while falling back; default 30s (Cloud Map's API rate is shared by the fleet). */
        public Builder fallbackInterval(Duration value) {
            if (value.isNegative()) {
                throw new IllegalArgumentException("fallbackInterval: " + value + " (expected: >= 0)");
            }
            this.fallbackInterval = value;
            return this;
        }

        public Builder cloudMapFallback(CloudMapFallback value) {
            this.fallback = Objects.requireNonNull(value, "cloudMapFallback");
            return this;
        }

        /** Persist the last good snapshot here, and start from it. */
        public Builder snapshotFile(java.nio.file.Path path) {
            this.file = SnapshotFile.at(path);
            return this;
        }

        /** Shares an HTTP client between sources (many proxies in one process, benchmarks). */
        public Builder httpClient(HttpClient value) {
            this.http = Objects.requireNonNull(value, "httpClient");
            return this;
        }

        /** Shares a scheduler between sources; the source does not shut a given one down. */
        public Builder scheduler(ScheduledExecutorService value) {
            this.scheduler = Objects.requireNonNull(value, "scheduler");
            return this;
        }

        Builder clock(Clock value) {
            this.clock = Objects.requireNonNull(value, "clock");
            return this;
        }

        public ControllerSnapshotSource build() {
            return new ControllerSnapshotSource(this);
        }
    }
}
