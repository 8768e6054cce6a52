package dev.trellis.e2e.support;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * Constant-rate GET requests to one URI, each sent on its own schedule whatever the previous
 * answers (no coordinated omission), each outcome kept with its send time, so that a test can
 * count failures per phase of a scenario by when requests were sent.
 */
public final class Traffic implements AutoCloseable {

    /** What one request got: status {@code -1} when no response came (an exception). */
    public record Outcome(long sentAtNanos, int status, String body) {
        public boolean ok() {
            return status == 200;
        }
    }

    /** The outcomes of the requests sent in one phase. */
    public record Phase(String name, List<Outcome> outcomes) {
        public int sent() {
            return outcomes.size();
        }

        public List<Outcome> failures() {
            return outcomes.stream().filter(o -> !o.ok()).toList();
        }

        /** How many successful answers each body (the answering task) gave, by body. */
        public Map<String, Long> answeredBy() {
            return outcomes.stream().filter(Outcome::ok)
                    .collect(Collectors.groupingBy(Outcome::body, TreeMap::new, Collectors.counting()));
        }

        @Override
        public String toString() {
            return name + ": sent=" + sent() + " failed=" + failures().size() + " answeredBy=" + answeredBy()
                    + (failures().isEmpty() ? "" : " firstFailure=" + failures().get(0));
        }
    }

    private final HttpClient client;
    private final HttpRequest request;
    private final ScheduledExecutorService scheduler;
    private final ConcurrentLinkedQueue<Outcome> outcomes = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<CompletableFuture<?>> inFlight = new ConcurrentLinkedQueue<>();

    private Traffic(URI target, Duration timeout) {
        this.client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(2)).build();
        this.request = HttpRequest.newBuilder(target).timeout(timeout).GET().build();
        this.scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "traffic");
            t.setDaemon(true);
            return t;
        });
    }

    /** Starts sending {@code perSecond} requests a second to {@code target}, each allowed {@code timeout}. */
    public static Traffic start(URI target, int perSecond, Duration timeout) {
        Traffic traffic = new Traffic(Objects.requireNonNull(target, "target"), timeout);
        long periodMicros = 1_000_000L / perSecond;
        traffic.scheduler.scheduleAtFixedRate(traffic::sendOne, 0, periodMicros, TimeUnit.MICROSECONDS);
        return traffic;
    }

    private void sendOne() {
        long sentAt = System.nanoTime();
        CompletableFuture<?> call = client.sendAsync(request, HttpResponse.BodyHandlers.ofString())
                .handle((response, error) -> outcomes.add(error == null
                        ? new Outcome(sentAt, response.statusCode(), response.body())
                        : new Outcome(sentAt, -1, String.valueOf(error))));
        inFlight.add(call);
        inFlight.removeIf(CompletableFuture::isDone);
    }

    /** A point in time to cut phases at. */
    public static long now() {
        return System.nanoTime();
    }

    /**
     * Stops sending, waits for every request in flight, then splits the outcomes into phases: the
     * requests sent in {@code [cuts[i-1], cuts[i])} form phase {@code names[i]} (the first phase
     * starts with the traffic, the last ends with it).
     */
    public List<Phase> stopAndSplit(List<String> names, long... cuts) throws InterruptedException {
        if (names.size() != cuts.length + 1) {
            throw new IllegalArgumentException("names: " + names + " (expected: " + (cuts.length + 1) + " names)");
        }
        scheduler.shutdown();
        scheduler.awaitTermination(5, TimeUnit.SECONDS);
        CompletableFuture.allOf(inFlight.toArray(CompletableFuture[]::new)).handle((v, e) -> null).join();
        List<Phase> phases = new ArrayList<>();
        for (int i = 0; i < names.size(); i++) {
            boolean first = i == 0;
            boolean last = i == cuts.length;
            long from = first ? 0 : cuts[i - 1];
            long to = last ? 0 : cuts[i];
            // nanoTime values are compared by difference, as its Javadoc asks.
            List<Outcome> in = outcomes.stream()
                    .filter(o -> first || o.sentAtNanos() - from >= 0)
                    .filter(o -> last || o.sentAtNanos() - to < 0)
                    .sorted(Comparator.comparingLong(Outcome::sentAtNanos)).toList();
            phases.add(new Phase(names.get(i), in));
        }
        return phases;
    }

    /** Every outcome so far, as one phase, for messages while the traffic runs. */
    public Phase soFar() {
        return new Phase("so far", outcomes.stream()
                .sorted(Comparator.comparingLong(Outcome::sentAtNanos)).toList());
    }

    /** The successful answers so far whose body satisfies {@code test}, sent after {@code since}. */
    public long answersSince(long since, Predicate<String> body) {
        return outcomes.stream().filter(o -> o.sentAtNanos() - since >= 0 && o.ok() && body.test(o.body())).count();
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
    }
}
