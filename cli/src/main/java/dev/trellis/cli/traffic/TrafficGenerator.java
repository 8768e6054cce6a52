package dev.trellis.cli.traffic;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Sends requests at a constant rate and measures each from the moment it was due, not the
 * moment it was sent, so that a stalled target shows its real latency (no coordinated omission).
 */
public final class TrafficGenerator implements AutoCloseable {

    private final String name;
    private final URI target;
    private final String method;
    private final long intervalNanos;
    private final HttpClient client;
    private final ExecutorService executor;
    private final Thread pacer;
    private final Recorder recorder = new Recorder(3);
    private final Histogram total = new Histogram(3);
    private final LongAdder succeeded = new LongAdder();
    private final LongAdder failed = new LongAdder();
    private final AtomicLong lastStatus = new AtomicLong();
    /** Failures by status; 0 stands for no response (timeout, refused or reset connection). */
    private final java.util.concurrent.ConcurrentHashMap<Integer, LongAdder> failures =
            new java.util.concurrent.ConcurrentHashMap<>();
    private volatile boolean running = true;

    private TrafficGenerator(String name, URI target, String method, int ratePerSecond) {
        if (ratePerSecond < 1) {
            throw new IllegalArgumentException("ratePerSecond: " + ratePerSecond + " (expected: >= 1)");
        }
        this.name = name;
        this.target = target;
        this.method = method;
        this.intervalNanos = TimeUnit.SECONDS.toNanos(1) / ratePerSecond;
        this.executor = Executors.newFixedThreadPool(4, r -> {
            Thread t = new Thread(r, name + "-traffic");
            t.setDaemon(true);
            return t;
        });
        this.client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).executor(executor)
                .connectTimeout(Duration.ofSeconds(1)).build();
        this.pacer = new Thread(this::pace, name + "-pacer");
        this.pacer.setDaemon(true);
    }

    public static TrafficGenerator start(String name, URI target, String method, int ratePerSecond) {
        TrafficGenerator generator = new TrafficGenerator(name, target, method, ratePerSecond);
        generator.pacer.start();
        return generator;
    }

    private void pace() {
        long start = System.nanoTime();
        for (long i = 0; running; i++) {
            long due = start + i * intervalNanos;
            long wait = due - System.nanoTime();
            if (wait > 0) {
                LockSupport.parkNanos(wait);
            }
            send(due);
        }
    }

    private void send(long due) {
        HttpRequest request = HttpRequest.newBuilder(target).timeout(Duration.ofSeconds(10))
                .method(method, HttpRequest.BodyPublishers.noBody()).build();
        client.sendAsync(request, HttpResponse.BodyHandlers.discarding()).whenComplete((response, error) -> {
            long latency = Math.max(0, System.nanoTime() - due);
            recorder.recordValue(latency);
            if (error == null) {
                lastStatus.set(response.statusCode());
            }
            if (error == null && response.statusCode() / 100 == 2) {
                succeeded.increment();
            } else {
                failed.increment();
                failures.computeIfAbsent(error == null ? response.statusCode() : 0, k -> new LongAdder()).increment();
            }
        });
    }

    /** What happened since the last call, plus the totals since the start. */
    public synchronized TrafficStats sample() {
        Histogram interval = recorder.getIntervalHistogram();
        total.add(interval);
        return new TrafficStats(name, interval.getTotalCount(),
                interval.getValueAtPercentile(50) / 1e6, interval.getValueAtPercentile(99) / 1e6,
                succeeded.sum(), failed.sum(), total.getValueAtPercentile(50) / 1e6,
                total.getValueAtPercentile(99) / 1e6, (int) lastStatus.get(), failuresByStatus());
    }

    private java.util.Map<String, Long> failuresByStatus() {
        java.util.Map<String, Long> byStatus = new java.util.TreeMap<>();
        failures.forEach((status, count) -> byStatus.put(status == 0 ? "no-response" : status.toString(), count.sum()));
        return byStatus;
    }

    public String name() {
        return name;
    }

    @Override
    public void close() {
        running = false;
        pacer.interrupt();
        executor.shutdownNow();
    }

    /**
     * @param name the stream
     * @param intervalRequests requests completed since the previous sample
     * @param intervalP50Ms median latency since the previous sample
     * @param intervalP99Ms 99th percentile since the previous sample
     * @param succeeded 2xx responses since the start
     * @param failed other outcomes since the start
     * @param p50Ms median since the start
     * @param p99Ms 99th percentile since the start
     * @param lastStatus the last status received
     * @param failuresByStatus failures since the start by status, {@code no-response} for timeouts and resets
     */
    public record TrafficStats(String name, long intervalRequests, double intervalP50Ms, double intervalP99Ms,
                               long succeeded, long failed, double p50Ms, double p99Ms, int lastStatus,
                               java.util.Map<String, Long> failuresByStatus) {
        public double successRate() {
            long all = succeeded + failed;
            return all == 0 ? 1.0 : (double) succeeded / all;
        }
    }
}
