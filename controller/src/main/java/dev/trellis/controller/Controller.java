package dev.trellis.controller;

import dev.trellis.ca.authority.CertificateAuthorityService;
import dev.trellis.ca.authority.MeshCa;
import dev.trellis.ca.authority.RevocationService;
import dev.trellis.ca.identity.IdentityVerifier;
import dev.trellis.controller.registry.Registry;
import dev.trellis.controller.server.ControllerServer;
import dev.trellis.controller.snapshots.MeshSnapshots;
import dev.trellis.controller.spec.SpecReader;
import dev.trellis.controller.spec.SpecWatcher;
import dev.trellis.controller.status.ProxyTracker;
import dev.trellis.controller.status.StatusReporter;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * A running controller: the spec watcher feeding the snapshot engine, the registry feeding it
 * too, and the server in front. Built from its parts, so that {@link Main} and tests assemble
 * the same thing.
 *
 * <pre>{@code
 * try (Controller controller = Controller.builder(new FileSpecReader(path), Registry.inMemory()).port(0).start()) {
 *     URI uri = controller.uri();
 * }
 * }</pre>
 */
public final class Controller implements AutoCloseable {

    private final SpecWatcher specWatcher;
    private final Registry registry;
    private final MeshSnapshots snapshots;
    private final ControllerServer server;
    private final List<AutoCloseable> extras;

    private Controller(SpecWatcher specWatcher, Registry registry, MeshSnapshots snapshots, ControllerServer server,
            List<AutoCloseable> extras) {
        this.specWatcher = specWatcher;
        this.registry = registry;
        this.snapshots = snapshots;
        this.server = server;
        this.extras = extras;
    }

    public static Builder builder(SpecReader<?> specReader, Registry registry) {
        return new Builder(specReader, registry);
    }

    public int port() {
        return server.port();
    }

    /** The base URI on loopback, for clients on this host. */
    public java.net.URI uri() {
        return java.net.URI.create("http://127.0.0.1:" + port());
    }

    public Registry registry() {
        return registry;
    }

    public MeshSnapshots snapshots() {
        return snapshots;
    }

    public SpecWatcher specWatcher() {
        return specWatcher;
    }

    @Override
    public void close() {
        // Users first, then what they use: the AWS clients (an extra) close last.
        server.close();
        specWatcher.close();
        snapshots.close();
        registry.close();
        for (AutoCloseable extra : extras) {
            try {
                extra.close();
            } catch (Exception e) {
                // Closing on the way out: nothing left to tell.
            }
        }
    }

    /** Settings of a {@link Controller}; the spec reader and registry are required. */
    public static final class Builder {
        private final SpecReader<?> specReader;
        private final Registry registry;
        private String host = "0.0.0.0";
        private int port = 9090;
        private Duration specInterval = Duration.ofSeconds(2);
        private Duration debounce = Duration.ofMillis(50);
        private final List<AutoCloseable> extras = new ArrayList<>();
        private MeshCa ca;
        private IdentityVerifier verifier;
        private String adminToken;
        private Duration caRenewBefore;
        private Duration caRotationCheck;

        private Builder(SpecReader<?> specReader, Registry registry) {
            this.specReader = Objects.requireNonNull(specReader, "specReader");
            this.registry = Objects.requireNonNull(registry, "registry");
        }

        public Builder host(String value) {
            this.host = value;
            return this;
        }

        public Builder port(int value) {
            this.port = value;
            return this;
        }

        /** How often the spec is read; default 2 seconds. */
        public Builder specInterval(Duration value) {
            this.specInterval = value;
            return this;
        }

        /** How long changes are gathered before a recompute; default 50ms. */
        public Builder debounce(Duration value) {
            this.debounce = value;
            return this;
        }

        /** Something to close with the controller, after it and in the order given (an ECS reconcile loop, AWS clients). */
        public Builder closing(AutoCloseable value) {
            extras.add(Objects.requireNonNull(value, "value"));
            return this;
        }

        /**
         * Runs the mesh CA: {@code POST /v1/certificates} signs the identity a caller proves (to
         * {@code verifier}), for services of the spec in force only; {@code GET /v1/trust-bundle}.
         */
        public Builder certificates(MeshCa authority, IdentityVerifier identityVerifier) {
            this.ca = Objects.requireNonNull(authority, "authority");
            this.verifier = Objects.requireNonNull(identityVerifier, "identityVerifier");
            return this;
        }

        /**
         * With {@link #certificates}: accepts {@code POST /v1/revocations} from callers presenting this
         * token as {@code Authorization: Bearer <token>} (at least 16 characters).
         */
        public Builder adminToken(String token) {
            this.adminToken = Objects.requireNonNull(token, "token");
            return this;
        }

        /**
         * With {@link #certificates}: every {@code checkEvery}, {@link MeshCa#rotateIfDue(Duration)} stages a
         * next root once the active one has less than {@code renewBefore} left and activates it one leaf
         * lifetime later (mesh-ca README, "Rotation of the CA").
         */
        public Builder caRotation(Duration renewBefore, Duration checkEvery) {
            this.caRenewBefore = Objects.requireNonNull(renewBefore, "renewBefore");
            this.caRotationCheck = Objects.requireNonNull(checkEvery, "checkEvery");
            return this;
        }

        /** Reads the spec once, binds the port, then serves and polls. */
        public Controller start() throws InterruptedException {
            if (ca != null && caRenewBefore != null) {
                ca.rotateIfDue(caRenewBefore);   // before anything runs: a wrong threshold fails the start, not a background thread
            }
            PrometheusMeterRegistry prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            new JvmMemoryMetrics().bindTo(prometheus);
            new JvmThreadMetrics().bindTo(prometheus);
            MeshSnapshots snapshots = MeshSnapshots.builder(registry).debounce(debounce).meters(prometheus).build();
            SpecWatcher watcher = SpecWatcher.builder(specReader).interval(specInterval).build();
            watcher.subscribe(snapshots::specChanged);
            prometheus.gauge("trellis.spec.rejected", watcher, w -> w.lastRejection().isPresent() ? 1 : 0);
            ProxyTracker proxies = ProxyTracker.create();
            StatusReporter status = new StatusReporter(watcher.source(), watcher::lastRejection, snapshots, registry,
                    proxies);
            ControllerServer.Builder serverBuilder = ControllerServer.builder(snapshots, registry, status, proxies,
                    prometheus).host(host).port(port);
            if (ca != null) {
                serverBuilder.certificates(CertificateAuthorityService.of(ca, verifier,
                        () -> Set.copyOf(snapshots.services())), ca);
                if (adminToken != null) {
                    serverBuilder.revocations(RevocationService.of(ca, adminToken));
                }
            }
            ControllerServer server = serverBuilder.build();
            watcher.start();
            // Serve from the first request on, not after the first debounce.
            snapshots.recomputeNow();
            try {
                server.start();
            } catch (InterruptedException | RuntimeException e) {
                watcher.close();
                snapshots.close();
                throw e;
            }
            List<AutoCloseable> closing = new ArrayList<>(extras);
            if (ca != null && caRenewBefore != null) {
                closing.add(0, scheduleRotation(ca, caRenewBefore, caRotationCheck));
            }
            return new Controller(watcher, registry, snapshots, server, List.copyOf(closing));
        }

        private static AutoCloseable scheduleRotation(MeshCa ca, Duration renewBefore, Duration checkEvery) {
            java.util.concurrent.ScheduledExecutorService scheduler = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "ca-rotation");
                t.setDaemon(true);
                return t;
            });
            org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(Controller.class);
            scheduler.scheduleWithFixedDelay(() -> {
                try {
                    MeshCa.ScheduledRotation done = ca.rotateIfDue(renewBefore);
                    if (done != MeshCa.ScheduledRotation.NONE) {
                        log.warn("event=ca.rotation.{} active_root=\"{}\" active_until={} trust_bundle={}", done.name().toLowerCase(java.util.Locale.ROOT),
                                ca.activeRoot().getSubjectX500Principal(), ca.activeRoot().getNotAfter().toInstant(), ca.trustBundle().size());
                    }
                } catch (RuntimeException e) {
                    log.error("event=ca.rotation.failed error=\"{}\"", e.toString());
                }
            }, checkEvery.toMillis(), checkEvery.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
            return scheduler::shutdownNow;
        }
    }
}
