package dev.trellis.controller.bench;

import dev.trellis.controller.Controller;
import dev.trellis.controller.registry.InMemoryRegistry;
import dev.trellis.controller.registry.RegisteredInstance;
import dev.trellis.controller.registry.Registry;
import dev.trellis.controller.snapshots.MeshSnapshots;
import dev.trellis.controller.spec.FileSpecReader;
import dev.trellis.controller.spec.LoadedSpec;
import dev.trellis.snapshot.client.Backoff;
import dev.trellis.snapshot.client.ControllerSnapshotSource;
import dev.trellis.spec.MeshSpec;
import dev.trellis.spec.MeshSpecs;
import dev.trellis.spec.ServiceSpec;
import dev.trellis.spec.Timeouts;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;

/**
 * The controller at scale: {@code services} mesh services with {@code endpoints} endpoints in all,
 * and {@code clients} proxies long-polling on loopback. Measures:
 * <ol>
 *   <li>a full recompute (spec change: every cluster rebuilt) and sealing every service's snapshot;</li>
 *   <li>an incremental recompute (one registration);</li>
 *   <li>heap held by the controller with every snapshot sealed;</li>
 *   <li>propagation: from a registration through the registry API to every proxy holding a
 *       snapshot with it; "raw" proxies read the ETag and discard the body (the controller's own
 *       delay), "source" proxies are {@link ControllerSnapshotSource}s that parse and check every
 *       snapshot (what real proxies do, but here all on the same 2 cores).</li>
 * </ol>
 * Run (from the repository root):
 * <pre>
 * mvn -o -q -pl controller test-compile exec:java@benchmark
 * mvn -o -q -pl controller test-compile exec:java@benchmark -Dexec.args="--services 1000 --endpoints 10000 --clients 1000 --rounds 5 --client raw"
 * </pre>
 */
public final class ControllerBenchmark {

    private int services = 1000;
    private int endpoints = 10_000;
    private int clients = 1000;
    private int rounds = 5;
    private String clientKind = "raw";

    public static void main(String[] args) throws Exception {
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        ControllerBenchmark bench = new ControllerBenchmark();
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--services" -> bench.services = Integer.parseInt(args[i + 1]);
                case "--endpoints" -> bench.endpoints = Integer.parseInt(args[i + 1]);
                case "--clients" -> bench.clients = Integer.parseInt(args[i + 1]);
                case "--rounds" -> bench.rounds = Integer.parseInt(args[i + 1]);
                case "--client" -> bench.clientKind = args[i + 1];
                default -> throw new IllegalArgumentException("argument: " + args[i]
                        + " (expected: --services, --endpoints, --clients, --rounds or --client raw|source)");
            }
        }
        try {
            bench.run();
        } catch (Exception | AssertionError e) {
            e.printStackTrace();
            System.exit(1);
        }
        System.exit(0);
    }

    private void run() throws Exception {
        System.out.printf(Locale.ROOT, "controller benchmark: %d services, %d endpoints, %d %s clients, %d rounds, %d cores, java %s%n",
                services, endpoints, clients, clientKind, rounds, Runtime.getRuntime().availableProcessors(),
                Runtime.version());
        long heapBefore = usedHeap();
        Path dir = Files.createTempDirectory("trellis-bench");
        Path specFile = dir.resolve("mesh.json");
        MeshSpec spec = spec(0);
        Files.writeString(specFile, MeshSpecs.toJson(spec));
        InMemoryRegistry registry = Registry.inMemory();
        for (int i = 0; i < endpoints; i++) {
            registry.register(instance(i % services, i));
        }
        try (Controller controller = Controller.builder(new FileSpecReader(specFile), registry)
                .host("127.0.0.1").port(0).specInterval(Duration.ofMinutes(10)).debounce(Duration.ofMillis(20))
                .start()) {
            MeshSnapshots snapshots = controller.snapshots();
            sealAll(snapshots);
            System.out.printf(Locale.ROOT, "snapshot size: %,d bytes (each service's; the shared parts are held once)%n",
                    snapshots.sealNow(name(0)).orElseThrow().length());

            Histogram full = new Histogram(3);
            Histogram seal = new Histogram(3);
            for (int r = 1; r <= rounds + 1; r++) {
                long t0 = System.nanoTime();
                snapshots.specChanged(LoadedSpec.of(spec(r), Instant.now(), "benchmark"));
                snapshots.recomputeNow();
                long t1 = System.nanoTime();
                sealAll(snapshots);
                long t2 = System.nanoTime();
                if (r > 1) { // the first round warms the JIT
                    full.recordValue(TimeUnit.NANOSECONDS.toMicros(t1 - t0));
                    seal.recordValue(TimeUnit.NANOSECONDS.toMicros(t2 - t1));
                }
            }
            report("full recompute (spec change)", full);
            report("seal every service after it", seal);

            Histogram incremental = new Histogram(3);
            for (int r = 0; r < rounds * 4; r++) {
                registry.register(instance(r % services, endpoints + r));
                long t0 = System.nanoTime();
                snapshots.recomputeNow();
                incremental.recordValue(TimeUnit.NANOSECONDS.toMicros(System.nanoTime() - t0));
            }
            report("incremental recompute (1 registration)", incremental);
            sealAll(snapshots);
            System.out.printf(Locale.ROOT, "heap used with %,d endpoints, all snapshots sealed: %,d MiB (before start: %,d MiB)%n",
                    endpoints, (usedHeap() - 0) >> 20, heapBefore >> 20);

            propagation(controller);
        }
    }

    private void propagation(Controller controller) throws Exception {
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .executor(Executors.newFixedThreadPool(4)).connectTimeout(Duration.ofSeconds(5)).build();
        ScheduledExecutorService scheduler = Executors.newScheduledThreadPool(2);
        ConcurrentHashMap<Integer, String> held = new ConcurrentHashMap<>();
        ConcurrentHashMap<Integer, Long> receivedAt = new ConcurrentHashMap<>();
        AtomicLong received = new AtomicLong();
        List<AutoCloseable> sources = new ArrayList<>();
        long startAll = System.nanoTime();
        for (int c = 0; c < clients; c++) {
            int client = c;
            String service = name(c % services);
            if (clientKind.equals("source")) {
                ControllerSnapshotSource source = ControllerSnapshotSource.builder(controller.uri(), service)
                        .proxyId("bench-" + c).httpClient(http).scheduler(scheduler)
                        .backoff(Backoff.exponential(Duration.ofMillis(50), Duration.ofSeconds(1))).build();
                source.start(s -> {
                    held.put(client, s.version());
                    receivedAt.put(client, System.nanoTime());
                    received.incrementAndGet();
                });
                sources.add(source);
            } else {
                RawPoller poller = new RawPoller(http, controller.uri().resolve("/v1/snapshots/" + service), "bench-" + c,
                        version -> {
                            held.put(client, version);
                            receivedAt.put(client, System.nanoTime());
                            received.incrementAndGet();
                        });
                poller.poll();
                sources.add(poller);
            }
        }
        try {
            awaitCount(received, clients, Duration.ofMinutes(5));
            System.out.printf(Locale.ROOT, "initial fetch by %d clients: %,d ms%n", clients,
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startAll));
            Thread.sleep(1_000);

            Histogram perClient = new Histogram(3);
            Histogram all = new Histogram(3);
            for (int r = 0; r < rounds; r++) {
                received.set(0);
                receivedAt.clear();
                long t0 = System.nanoTime();
                HttpResponse<String> put = http.send(HttpRequest.newBuilder(controller.uri().resolve(
                                "/v1/registry/" + name(r % services) + "/instances/bench-new-" + r))
                        .PUT(HttpRequest.BodyPublishers.ofString("{\"address\":\"10.200.0." + (r + 1) + "\",\"port\":15000}"))
                        .build(), HttpResponse.BodyHandlers.ofString());
                if (put.statusCode() != 201) {
                    throw new IllegalStateException("registration: " + put.statusCode() + " " + put.body());
                }
                awaitCount(received, clients, Duration.ofMinutes(5));
                long last = 0;
                for (long at : receivedAt.values()) {
                    perClient.recordValue(TimeUnit.NANOSECONDS.toMicros(at - t0));
                    last = Math.max(last, at);
                }
                all.recordValue(TimeUnit.NANOSECONDS.toMicros(last - t0));
                Thread.sleep(1_000);
            }
            report("propagation to one client", perClient);
            report("propagation to every client", all);
        } finally {
            for (AutoCloseable source : sources) {
                source.close();
            }
            scheduler.shutdownNow();
        }
    }

    private static void awaitCount(AtomicLong counter, long expected, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (counter.get() < expected) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("only " + counter.get() + " of " + expected + " clients within " + timeout);
            }
            Thread.sleep(1);
        }
    }

    private void sealAll(MeshSnapshots snapshots) {
        for (String service : snapshots.services()) {
            snapshots.sealNow(service);
        }
    }

    private MeshSpec spec(int variant) {
        List<ServiceSpec> list = new ArrayList<>(services);
        for (int s = 0; s < services; s++) {
            ServiceSpec service = ServiceSpec.of(name(s), 8080);
            if (s == 0) {
                // Each variant changes one service's timeout: a spec change the whole mesh sees.
                service = new ServiceSpec(service.name(), null, 8080, null, null,
                        new Timeouts(Duration.ofSeconds(10 + variant), null, null), null, null, null, null, null, null);
            }
            list.add(service);
        }
        return MeshSpecs.validate(MeshSpec.of("bench", list));
    }

    private static String name(int service) {
        return String.format(Locale.ROOT, "svc-%04d", service);
    }

    private static RegisteredInstance instance(int service, int n) {
        return new RegisteredInstance(name(service), "i-" + n, "10." + (n >> 16 & 255) + "." + (n >> 8 & 255) + "." + (n & 255),
                15000, "v1", "az" + (n % 3), true, null);
    }

    private static void report(String what, Histogram h) {
        System.out.printf(Locale.ROOT, "%-40s n=%-6d p50=%,9.1f ms  p99=%,9.1f ms  max=%,9.1f ms%n", what, h.getTotalCount(),
                h.getValueAtPercentile(50) / 1000.0, h.getValueAtPercentile(99) / 1000.0, h.getMaxValue() / 1000.0);
    }

    private static long usedHeap() {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        Runtime rt = Runtime.getRuntime();
        return rt.totalMemory() - rt.freeMemory();
    }

    /** A minimal long-poll proxy: keeps the ETag, discards the body, polls again. */
    private static final class RawPoller implements AutoCloseable {
        private final HttpClient http;
        private final URI uri;
        private final String id;
        private final java.util.function.Consumer<String> onVersion;
        private volatile String version;
        private volatile boolean closed;

        RawPoller(HttpClient http, URI uri, String id, java.util.function.Consumer<String> onVersion) {
            this.http = http;
            this.uri = uri;
            this.id = id;
            this.onVersion = onVersion;
        }

        void poll() {
            if (closed) {
                return;
            }
            HttpRequest.Builder b = HttpRequest.newBuilder(uri).header("Prefer", "wait=60").header("X-Trellis-Proxy", id)
                    .timeout(Duration.ofSeconds(90));
            if (version != null) {
                b.header("If-None-Match", "\"" + version + "\"");
            }
            http.sendAsync(b.build(), HttpResponse.BodyHandlers.discarding()).whenComplete((response, error) -> {
                if (error == null && response.statusCode() == 200) {
                    String etag = response.headers().firstValue("ETag").orElseThrow();
                    version = etag.substring(1, etag.length() - 1);
                    onVersion.accept(version);
                }
                if (error != null || response.statusCode() >= 400) {
                    java.util.concurrent.CompletableFuture.delayedExecutor(100, TimeUnit.MILLISECONDS).execute(this::poll);
                } else {
                    poll();
                }
            });
        }

        @Override
        public void close() {
            closed = true;
        }
    }
}
