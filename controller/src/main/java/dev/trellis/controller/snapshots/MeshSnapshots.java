package dev.trellis.controller.snapshots;

import dev.trellis.controller.registry.Registry;
import dev.trellis.controller.spec.LoadedSpec;
import dev.trellis.snapshot.Cluster;
import dev.trellis.snapshot.ProxySnapshot;
import dev.trellis.snapshot.SnapshotCompiler;
import dev.trellis.snapshot.Snapshots;
import dev.trellis.spec.MeshSpec;
import dev.trellis.spec.ServiceSpec;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.ByteArrayOutputStream;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Computes every service's snapshot from the spec in force and the registry, and parks watches
 * until a snapshot changes.
 *
 * <p>Changes are debounced: the first change after a quiet period schedules one recompute
 * {@code debounce} later, and every change until then joins it. A recompute is incremental: a
 * spec change recompiles the spec's shared parts (outbound services, cluster skeletons, each
 * service's inbound); a registry change rebuilds only the clusters of the services that changed;
 * a cluster whose endpoints are unchanged keeps its value and its JSON. Nothing is sealed then:
 * each service's snapshot is sealed (hashed, checked) on the first fetch or watch that needs it,
 * so that services no proxy asks for cost nothing. If nothing changed, no new generation is made
 * and no watch fires, so an unchanged snapshot is never re-sent.
 *
 * <p>Every generation is checked before it is served ({@link Snapshots#problems}): a generation
 * with a problem is refused, logged, and the previous one keeps serving.
 */
public final class MeshSnapshots implements SnapshotFeed, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(MeshSnapshots.class);

    private final Registry registry;
    private final Duration debounce;
    private final Clock clock;
    private final ScheduledExecutorService compute = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "snapshots-compute");
        t.setDaemon(true);
        return t;
    });
    private final ExecutorService sealer;
    private final Map<String, Set<Waiter>> waiters = new ConcurrentHashMap<>();
    private final AtomicInteger waiting = new AtomicInteger();
    private final Set<String> dirtyServices = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean scheduled = new AtomicBoolean();
    private final Timer recomputeTimer;
    private final Counter sealCounter;

    private volatile LoadedSpec pendingSpec;
    private volatile Generation current;
    // Only the compute thread touches these.
    private Generation.SpecParts specParts;
    private boolean slowPath;
    private long generations;

    private MeshSnapshots(Builder b) {
        this.registry = b.registry;
        this.debounce = b.debounce;
        this.clock = b.clock;
        int threads = Math.max(1, Math.min(b.sealThreads, Runtime.getRuntime().availableProcessors()));
        this.sealer = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "snapshots-seal");
            t.setDaemon(true);
            return t;
        });
        MeterRegistry meters = b.meters;
        this.recomputeTimer = Timer.builder("trellis.snapshots.recompute")
                .description("Time to recompute the generation after a spec or registry change").register(meters);
        this.sealCounter = Counter.builder("trellis.snapshots.sealed")
                .description("Service snapshots sealed (hashed and checked)").register(meters);
        meters.gauge("trellis.snapshots.waiting", waiting);
        meters.gauge("trellis.snapshots.generation", this, s -> s.current == null ? 0 : s.current.number);
        registry.subscribe(this::registryChanged);
    }

    public static Builder builder(Registry registry) {
        return new Builder(registry);
    }

    /** Takes a new spec in force (the spec watcher's listener). */
    public void specChanged(LoadedSpec spec) {
        pendingSpec = Objects.requireNonNull(spec, "spec");
        registry.track(spec.spec().services().stream().map(ServiceSpec::name)
                .collect(java.util.stream.Collectors.toSet()));
        schedule();
    }

    private void registryChanged(String service) {
        dirtyServices.add(service);
        schedule();
    }

    private void schedule() {
        if (scheduled.compareAndSet(false, true)) {
            compute.schedule(this::recompute, debounce.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    /** Recomputes now, on the compute thread, and waits for it: for benchmarks and tests. */
    public void recomputeNow() {
        try {
            compute.submit(this::recompute).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
    }

    @Override
    public boolean ready() {
        return current != null;
    }

    @Override
    public List<String> services() {
        Generation g = current;
        return g == null ? List.of() : g.spec.spec().services().stream().map(ServiceSpec::name).sorted().toList();
    }

    /** The spec the current generation was computed from. */
    public Optional<LoadedSpec> spec() {
        Generation g = current;
        return g == null ? Optional.empty() : Optional.of(g.spec);
    }

    /** The current generation's number, 0 before the first. */
    public long generation() {
        Generation g = current;
        return g == null ? 0 : g.number;
    }

    /** The current snapshot of a service, sealing it on this thread if needed; empty when unknown. */
    public Optional<SealedSnapshot> sealNow(String service) {
        Generation g = current;
        return g == null ? Optional.empty() : Optional.ofNullable(sealCounting(g, service));
    }

    /** The current generation's value of a cluster (shared by every service's snapshot). */
    public Optional<Cluster> currentCluster(String name) {
        Generation g = current;
        return g == null ? Optional.empty() : Optional.ofNullable(g.clusters.get(name)).map(Generation.ClusterEntry::cluster);
    }

    @Override
    public CompletableFuture<SealedSnapshot> current(String service) {
        return CompletableFuture.supplyAsync(() -> {
            Generation g = current;
            return g == null ? null : sealCounting(g, service);
        }, sealer);
    }

    @Override
    public Watch watch(String service, String heldVersion, Consumer<SealedSnapshot> callback) {
        Waiter waiter = new Waiter(service, heldVersion, callback);
        waiters.computeIfAbsent(service, s -> ConcurrentHashMap.newKeySet()).add(waiter);
        waiting.incrementAndGet();
        Generation g = current;
        if (g != null) {
            sealer.execute(() -> offer(service, g));
        }
        return waiter;
    }

    /** Completes the service's waiters that hold another version than the generation's. */
    private void offer(String service, Generation g) {
        if (g != current) {
            return; // a newer generation offers itself
        }
        Set<Waiter> set = waiters.get(service);
        if (set == null || set.isEmpty()) {
            return;
        }
        SealedSnapshot sealed = sealCounting(g, service);
        for (Waiter waiter : set) {
            if (sealed == null || !sealed.version().equals(waiter.held)) {
                waiter.fire(sealed);
            }
        }
    }

    private SealedSnapshot sealCounting(Generation g, String service) {
        SealedSnapshot before = g.sealedOrNull(service);
        SealedSnapshot sealed = g.seal(service);
        if (before == null && sealed != null) {
            sealCounter.increment();
        }
        return sealed;
    }

    private void recompute() {
        scheduled.set(false);
        LoadedSpec spec = pendingSpec;
        if (spec == null) {
            return;
        }
        Timer.Sample sample = Timer.start();
        Set<String> dirty = new HashSet<>(dirtyServices);
        dirtyServices.removeAll(dirty);
        Generation previous = current;
        try {
            boolean specChanged = specParts == null || specParts.spec() != spec;
            if (specChanged) {
                specParts = compileSpec(spec, slowPath);
            }
            Map<String, Generation.ClusterEntry> clusters = new LinkedHashMap<>();
            boolean clustersChanged = previous == null || specChanged;
            for (Cluster skeleton : specParts.skeletons()) {
                Generation.ClusterEntry before = previous == null ? null : previous.clusters.get(skeleton.name());
                Generation.ClusterEntry entry;
                if (!specChanged && before != null && !dirty.contains(skeleton.service())) {
                    entry = before;
                } else {
                    Cluster cluster = skeleton.withEndpoints(registry.endpoints(skeleton.service(), skeleton.version()));
                    entry = before != null && before.cluster().equals(cluster)
                            ? before : new Generation.ClusterEntry(cluster, ServiceTemplate.json(cluster));
                }
                clustersChanged |= entry != before;
                clusters.put(skeleton.name(), entry);
            }
            if (!clustersChanged) {
                return;
            }
            List<Cluster> clusterList = new ArrayList<>(clusters.size());
            ByteArrayOutputStream clustersJson = new ByteArrayOutputStream();
            clustersJson.write('[');
            boolean first = true;
            for (Generation.ClusterEntry entry : clusters.values()) {
                clusterList.add(entry.cluster());
                if (!first) {
                    clustersJson.write(',');
                }
                clustersJson.writeBytes(entry.json());
                first = false;
            }
            clustersJson.write(']');
            Generation next = new Generation(generations + 1, spec, specParts, Map.copyOf(clusters),
                    List.copyOf(clusterList), ServiceTemplate.Shared.of(clustersJson.toByteArray()), clock.instant());
            List<String> problems = problems(next);
            if (!problems.isEmpty()) {
                LOG.error("event=snapshots.refused generation={} spec_version={} problems=\"{}\" keeping_generation={}",
                        next.number, spec.version(), String.join("; ", problems),
                        previous == null ? 0 : previous.number);
                return;
            }
            if (specChanged && !slowPath && !matchesCompiler(next)) {
                slowPath = true;
                specParts = compileSpec(spec, true);
                next = new Generation(next.number, spec, specParts, next.clusters, next.clusterList,
                        next.clustersJson, next.createdAt);
            }
            generations = next.number;
            current = next;
            LOG.info("event=snapshots.generation generation={} spec_version={} services={} clusters={}"
                            + " changed_services={} spec_changed={}",
                    next.number, spec.version(), specParts.templates().size(), clusterList.size(), dirty.size(),
                    specChanged);
            for (Map.Entry<String, Set<Waiter>> entry : waiters.entrySet()) {
                if (!entry.getValue().isEmpty()) {
                    Generation published = next;
                    sealer.execute(() -> offer(entry.getKey(), published));
                }
            }
        } catch (RuntimeException e) {
            LOG.error("event=snapshots.recompute.failed spec_version={}", spec.version(), e);
        } finally {
            sample.stop(recomputeTimer);
        }
    }

    private static Generation.SpecParts compileSpec(LoadedSpec loaded, boolean slow) {
        MeshSpec spec = loaded.spec();
        if (spec.services().isEmpty()) {
            return new Generation.SpecParts(loaded, List.of(), ServiceTemplate.Shared.of("[]".getBytes()), List.of(),
                    Map.of());
        }
        // Compiled once without endpoints: the outbound services and cluster skeletons are the
        // same in every service's snapshot.
        ProxySnapshot whole = SnapshotCompiler.compile(spec, spec.services().get(0).name(), (s, v) -> List.of());
        Map<String, ServiceTemplate> templates = new LinkedHashMap<>();
        for (ServiceSpec service : spec.services()) {
            // What differs per service depends only on the mesh settings and the service itself.
            MeshSpec alone = new MeshSpec(spec.apiVersion(), spec.mesh(), spec.trustDomain(), spec.tls(),
                    spec.defaultPolicy(), List.of(service));
            ProxySnapshot own = SnapshotCompiler.compile(alone, service.name(), (s, v) -> List.of());
            ProxySnapshot skeleton = new ProxySnapshot(null, own.mesh(), own.service(), own.identity(),
                    own.trustDomain(), own.inbound(), new dev.trellis.snapshot.Outbound(whole.outbound().port(),
                    List.of()), List.of());
            ServiceTemplate template = ServiceTemplate.of(skeleton);
            templates.put(service.name(), slow ? ServiceTemplate.slow(skeleton) : template);
        }
        return new Generation.SpecParts(loaded, whole.outbound().services(),
                ServiceTemplate.Shared.of(ServiceTemplate.json(whole.outbound().services())), whole.clusters(),
                Map.copyOf(templates));
    }

    /** The consistency check: every service's snapshot shares all but its inbound, so one check covers all. */
    private static List<String> problems(Generation g) {
        if (g.specParts.templates().isEmpty()) {
            return List.of();
        }
        ServiceTemplate any = g.specParts.templates().values().iterator().next();
        return Snapshots.problems(any.fill(g.specParts.services(), g.clusterList));
    }

    /** Guards the fast path: one service's snapshot must equal what {@link SnapshotCompiler} gives. */
    private boolean matchesCompiler(Generation g) {
        if (g.specParts.templates().isEmpty()) {
            return true;
        }
        String service = g.specParts.templates().keySet().iterator().next();
        Map<String, List<dev.trellis.snapshot.Endpoint>> endpoints = new java.util.HashMap<>();
        g.clusterList.forEach(c -> endpoints.put(c.name(), c.endpoints()));
        ProxySnapshot expected = SnapshotCompiler.compile(g.spec.spec(), service,
                (s, v) -> endpoints.getOrDefault(Cluster.name(s, v), List.of()));
        // Sealed aside, not through the generation, so that sealing stays lazy for proxies.
        SealedSnapshot sealed = g.specParts.templates().get(service).seal(g.number, g.specParts.servicesJson(),
                g.clustersJson, g.specParts.services(), g.clusterList);
        if (expected.version().equals(sealed.version())) {
            return true;
        }
        LOG.error("event=snapshots.fast_path.mismatch service={} expected_version={} fast_version={}"
                + " action=using-Snapshots.seal-for-every-service", service, expected.version(), sealed.version());
        return false;
    }

    @Override
    public void close() {
        compute.shutdownNow();
        sealer.shutdownNow();
    }

    private final class Waiter implements Watch {
        final String service;
        final String held;
        final Consumer<SealedSnapshot> callback;
        final AtomicBoolean done = new AtomicBoolean();

        Waiter(String service, String held, Consumer<SealedSnapshot> callback) {
            this.service = service;
            this.held = held;
            this.callback = callback;
        }

        void fire(SealedSnapshot snapshot) {
            if (remove()) {
                try {
                    callback.accept(snapshot);
                } catch (RuntimeException e) {
                    LOG.error("event=snapshots.watch.callback.failed service={}", service, e);
                }
            }
        }

        @Override
        public boolean cancel() {
            return remove();
        }

        private boolean remove() {
            if (!done.compareAndSet(false, true)) {
                return false;
            }
            Set<Waiter> set = waiters.get(service);
            if (set != null) {
                set.remove(this);
            }
            waiting.decrementAndGet();
            return true;
        }
    }

    /** Settings of {@link MeshSnapshots}; only the registry is required. */
    public static final class Builder {
        private final Registry registry;
        private Duration debounce = Duration.ofMillis(50);
        private int sealThreads = Runtime.getRuntime().availableProcessors();
        private MeterRegistry meters = new SimpleMeterRegistry();
        private Clock clock = Clock.systemUTC();

        private Builder(Registry registry) {
            this.registry = Objects.requireNonNull(registry, "registry");
        }

        /** How long changes are gathered before one recompute; default 50ms. */
        public Builder debounce(Duration value) {
            if (value.isNegative()) {
                throw new IllegalArgumentException("debounce: " + value + " (expected: >= 0)");
            }
            this.debounce = value;
            return this;
        }

        /** Threads that seal snapshots and fire watches; default: one per core. */
        public Builder sealThreads(int value) {
            if (value < 1) {
                throw new IllegalArgumentException("sealThreads: " + value + " (expected: >= 1)");
            }
            this.sealThreads = value;
            return this;
        }

        public Builder meters(MeterRegistry value) {
            this.meters = Objects.requireNonNull(value, "meters");
            return this;
        }

        public Builder clock(Clock value) {
            this.clock = Objects.requireNonNull(value, "clock");
            return this;
        }

        public MeshSnapshots build() {
            return new MeshSnapshots(this);
        }
    }
}
