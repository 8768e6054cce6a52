package dev.trellis.proxy.image;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.trellis.proxy.fixtures.Clients;
import dev.trellis.proxy.fixtures.Mesh;
import dev.trellis.proxy.fixtures.UpstreamServer;
import dev.trellis.snapshot.ProxySnapshot;
import dev.trellis.snapshot.Snapshots;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The image's entrypoint, run as a plain process (no Docker engine here): the Dockerfile's exact
 * ENTRYPOINT and CMD, with only the JVM mapped to this build's and the image's /opt/trellis/ to
 * {@code target/} (the shaded jar and its class-data sharing archive), plus a snapshot file and
 * free loopback ports. Runs in the {@code integration-test} phase, after {@code package} built both.
 */
@Timeout(90)
class ProxyProcessIT {

    /** The image's /opt/trellis/ is the build's target/: the jar and its class-data sharing archive. */
    private static final String IMAGE_DIR = "/opt/trellis/";
    private static final Path BUILD_DIR = Path.of("target");
    private static final Path BUILT_JAR = BUILD_DIR.resolve("trellis-proxy.jar");
    /**
     * Generous: about 3x the start-up measured on a quiet machine (proxy-image/README.md), while a
     * proxy that loads its classes from the jar again, waits on something or does needless work
     * before binding is slower than this. Scaled by how oversubscribed the machine is (load average
     * per core, when above 1), because a shared CI machine with 5 runnable threads per core gives
     * the proxy's threads a fifth of the time; on a machine that is not oversubscribed it is 1.5 s.
     */
    private static final long READY_BOUND_MILLIS = 1_500;
    /** Start-ups timed at most: the best one counts, so one start slowed by a neighbour is not a failure. */
    private static final int READY_ATTEMPTS = 3;
    private static final String ARCHIVE_FLAG = "-XX:SharedArchiveFile=";

    private final HttpClient client = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(2)).build();
    private Process process;

    @AfterEach
    void killIfLeft() {
        if (process != null && process.isAlive()) {
            process.destroyForcibly();
        }
    }

    @Test
    void givenTheImageEntrypointAndTheBuiltArchive_whenStarted_thenTheArchiveIsMappedAndReadyComesWithinTheBound(
            @TempDir Path dir) throws Exception {
        ProxySnapshot applied = Mesh.spec("  - name: orders\n    port: 8081\n").endpoint("orders", "v1", freePort()).snapshot();
        Path snapshot = dir.resolve("snapshot.json");
        Files.writeString(snapshot, Snapshots.toJson(applied));
        List<Long> readyMillis = new ArrayList<>();
        long bound = READY_BOUND_MILLIS;
        for (int attempt = 1; attempt <= READY_ATTEMPTS; attempt++) {
            int admin = freePort();
            List<String> command = imageCommand();
            command.addAll(List.of("--snapshot", snapshot.toString(), "--bind", "127.0.0.1",
                    "--admin-bind", "127.0.0.1", "--admin-port", String.valueOf(admin),
                    "--outbound-port", String.valueOf(freePort()), "--inbound-port", String.valueOf(freePort())));
            Path log = BUILD_DIR.resolve("proxy-process-it-start-up-" + attempt + ".log");

            long start = System.nanoTime();
            process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            readyMillis.add(awaitReady(admin, start));
            process.destroy();
            assertThat(process.waitFor(30, TimeUnit.SECONDS)).as("exited within 30 s of SIGTERM").isTrue();

            // The JVM ignores a missing archive silently, and warns about one it rejects (other JVM, other jar).
            assertThat(archiveOf(command)).as("the class-data sharing archive of " + command + " (mvn package)").exists();
            assertThat(Files.readString(log)).as("output of " + command).doesNotContain("[cds");
            bound = readyBound();
            if (readyMillis.get(readyMillis.size() - 1) < bound) {
                break;
            }
        }

        System.out.printf("trellis-proxy process: start-up to ready %s ms (bound %d ms), load average %s%n",
                readyMillis, bound, loadAverage());
        assertThat(readyMillis.stream().mapToLong(Long::longValue).min().orElseThrow())
                .as("best start-up to /ready in ms of " + readyMillis + " (load average " + loadAverage() + ")")
                .isLessThan(bound);
    }

    /**
     * One process run (a JVM start is the expensive part) follows a sidecar's life: start-up to
     * ready, config dump and metrics, a request served, SIGTERM with a request in flight (it
     * completes, new connections are refused), exit 0, and the access log holding both requests.
     */
    @Test
    void givenTheImageEntrypoint_whenStartedServingAndSigtermed_thenReadyThenDrainsTheRequestInFlightAndExitsZero(
            @TempDir Path dir) throws Exception {
        try (UpstreamServer orders = UpstreamServer.http1("orders-v1", received ->
                received.uri().contains("/slow") ? UpstreamServer.delay(1500, UpstreamServer.ok("slow answer"))
                        : UpstreamServer.ok("fast answer"))) {
            ProxySnapshot applied = Mesh.spec("  - name: orders\n    port: 8081\n")
                    .endpoints("orders", "v1", orders).snapshot();
            Path snapshot = dir.resolve("snapshot.json");
            Files.writeString(snapshot, Snapshots.toJson(applied));
            Path accessLog = dir.resolve("access.log");
            int admin = freePort();
            int outbound = freePort();
            List<String> command = imageCommand();
            command.addAll(List.of("--snapshot", snapshot.toString(), "--bind", "127.0.0.1",
                    "--admin-bind", "127.0.0.1", "--admin-port", String.valueOf(admin),
                    "--outbound-port", String.valueOf(outbound), "--inbound-port", String.valueOf(freePort()),
                    "--access-log", accessLog.toString(), "--drain-timeout", "10s"));
            Path log = Path.of("target", "proxy-process-it.log");

            long start = System.nanoTime();
            process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            long readyMillis = awaitReady(admin, start);

            System.out.printf("trellis-proxy process: start-up to ready %d ms (%s)%n", readyMillis, command);
            assertThat(readyMillis).as("start-up to /ready").isLessThan(30_000);
            assertThat(get(admin, "/config").body()).contains(applied.version());
            HttpClient viaProxy = Clients.viaProxy(outbound);
            assertThat(Clients.get(viaProxy, "http://orders/fast").body()).isEqualTo("fast answer");
            assertThat(get(admin, "/metrics").body()).contains("trellis_proxy_requests_total{cluster=\"orders/v1\","
                    + "local_service=\"app\",mesh=\"test\",route=\"default\",service=\"orders\",status=\"2xx\"} 1.0");
            CompletableFuture<HttpResponse<String>> slow = viaProxy.sendAsync(
                    HttpRequest.newBuilder(URI.create("http://orders/slow")).timeout(Duration.ofSeconds(20)).build(),
                    HttpResponse.BodyHandlers.ofString());
            awaitUpstreamRequests(orders, 2);

            process.destroy(); // SIGTERM

            awaitRefused(outbound);
            HttpResponse<String> whileDraining = get(admin, "/ready");
            assertThat(whileDraining.statusCode()).isEqualTo(503);
            assertThat(whileDraining.body()).isEqualTo("not ready: draining\n");
            HttpResponse<String> answered = slow.get(20, TimeUnit.SECONDS);
            assertThat(answered.statusCode()).isEqualTo(200);
            assertThat(answered.body()).isEqualTo("slow answer");
            assertThat(process.waitFor(30, TimeUnit.SECONDS)).as("exited within 30 s of SIGTERM").isTrue();
            assertThat(process.exitValue()).as("exit status; output in " + log.toAbsolutePath()).isZero();
            assertThat(Files.readString(log)).contains("0 connection(s) closed by force");
            List<String> lines = Files.readAllLines(accessLog);
            assertThat(lines).hasSize(2);
            JsonNode slowLine = new ObjectMapper().readTree(lines.get(1));
            assertThat(slowLine.get("path").asText()).isEqualTo("/slow");
            assertThat(slowLine.get("response_code").asInt()).isEqualTo(200);
            assertThat(slowLine.get("upstream_cluster").asText()).isEqualTo("orders/v1");
            assertThat(slowLine.get("duration_ms").asDouble()).isGreaterThanOrEqualTo(1400);
        }
    }

    private static void awaitUpstreamRequests(UpstreamServer upstream, int count) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (upstream.requests() < count) {
            assertThat(System.nanoTime() - deadline).as(count + " requests upstream within 10 s").isNegative();
            Thread.sleep(10);
        }
    }

    private static void awaitRefused(int port) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress("127.0.0.1", port), 1000);
            } catch (ConnectException refused) {
                return;
            } catch (IOException other) {
                throw new AssertionError("expected a refused connection, got " + other, other);
            }
            assertThat(System.nanoTime() - deadline).as("new connections refused within 10 s").isNegative();
            Thread.sleep(10);
        }
    }

    /** The Dockerfile's ENTRYPOINT + CMD, with this build's JVM, jar and archive in place of the image's. */
    private static List<String> imageCommand() {
        assertThat(BUILT_JAR).as("the shaded jar (mvn package)").exists();
        List<String> command = new ArrayList<>();
        for (String argument : Dockerfile.read().commandLine()) {
            if (command.isEmpty() && argument.equals("java")) {
                command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            } else if (argument.contains(IMAGE_DIR)) {
                command.add(argument.replace(IMAGE_DIR, BUILD_DIR.toAbsolutePath() + "/"));
            } else {
                command.add(argument);
            }
        }
        return command;
    }

    private long awaitReady(int adminPort, long start) throws InterruptedException {
        long deadline = start + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() - deadline < 0) {
            assertThat(process.isAlive()).as("proxy process alive while starting").isTrue();
            try {
                if (get(adminPort, "/ready").statusCode() == 200) {
                    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
                }
            } catch (IOException notListeningYet) {
                // the admin port is not bound yet
            }
            Thread.sleep(10);
        }
        throw new AssertionError("/ready did not answer 200 within 60 s");
    }

    private HttpResponse<String> get(int port, String path) throws IOException, InterruptedException {
        return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static Path archiveOf(List<String> command) {
        return command.stream().filter(argument -> argument.startsWith(ARCHIVE_FLAG))
                .map(argument -> Path.of(argument.substring(ARCHIVE_FLAG.length()))).findFirst()
                .orElseThrow(() -> new AssertionError("command: " + command + " (expected: " + ARCHIVE_FLAG + "...)"));
    }

    /** {@link #READY_BOUND_MILLIS}, times the 1-minute load average per core when that is above 1. */
    private static long readyBound() throws IOException {
        String loadAverage = loadAverage();
        double perCore = loadAverage.equals("unknown") ? 1
                : Double.parseDouble(loadAverage.split(" ")[0]) / Runtime.getRuntime().availableProcessors();
        return Math.round(READY_BOUND_MILLIS * Math.max(1, perCore));
    }

    private static String loadAverage() throws IOException {
        Path loadAverage = Path.of("/proc/loadavg");
        return Files.isReadable(loadAverage) ? Files.readString(loadAverage).strip() : "unknown";
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
