package dev.trellis.cli.up;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The main job, end to end: {@code trellis up} on the shipped shop, as a real process for a
 * bounded time, read through {@code trellis status --json}, edited live, stopped with SIGINT.
 */
class TrellisUpIT {

    private static final ObjectMapper JSON = StatusBoard.JSON;

    @TempDir
    Path dir;

    private Process up;

    @AfterEach
    void stop() {
        if (up != null && up.isAlive()) {
            up.destroyForcibly();
        }
    }

    @Test
    @DisplayName("GIVEN the shop WHEN trellis up runs THEN the canary splits 90/10, retries mask the flaky payments, "
            + "an unlisted caller gets 403 over mTLS, a live edit to 50/50 applies, and SIGINT leaves nothing behind")
    void theShopWorksEndToEnd() throws Exception {
        Path repository = ShopExample.repositoryRoot();
        Path spec = Files.copy(repository.resolve("examples/shop/mesh.yaml"), dir.resolve("mesh.yaml"));
        Files.copy(repository.resolve("examples/shop/local.yaml"), dir.resolve("local.yaml"));
        int statusPort = freePort();
        Path log = dir.resolve("up.log");
        up = new ProcessBuilder(javaBin(), "-jar", Path.of("target/trellis.jar").toAbsolutePath().toString(),
                "up", spec.toString(), "--status-port", Integer.toString(statusPort), "--plain", "--duration", "300")
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();

        // GIVEN the mesh is up and warmed (the first seconds include JIT compilation of every hop)
        MeshStatus started = awaitStatus(statusPort, Duration.ofSeconds(60),
                s -> s.instances().size() == 6 && s.instances().stream().allMatch(MeshStatus.InstanceStatus::ready)
                        && s.traffic().succeeded() > 500, log);
        Thread.sleep(5_000);

        // WHEN traffic flows for a while
        MeshStatus a = status(statusPort);
        Thread.sleep(20_000);
        MeshStatus b = status(statusPort);

        // THEN the client saw at least 99.9 % success while one payments instance fails half its requests
        long ok = b.traffic().succeeded() - a.traffic().succeeded();
        long failed = b.traffic().failed() - a.traffic().failed();
        assertThat(ok + failed).as("requests in the window").isGreaterThan(1000);
        assertThat((double) ok / (ok + failed)).as("client success rate, %d failed of %d (failures so far: %s)", failed, ok + failed,
                        b.traffic().failuresByStatus())
                .isGreaterThanOrEqualTo(0.999);
        MeshStatus.InstanceStatus flaky = instance(b, "payments-v1-5");
        assertThat(flaky.served() - instance(a, "payments-v1-5").served()).as("the flaky instance still gets tries")
                .isPositive();
        assertThat(retries(b, "orders", "payments") - retries(a, "orders", "payments"))
                .as("its failures were retried").isPositive();
        // AND the canary split is 90/10 within a tight tolerance
        assertThat(v2Share(a, b)).isBetween(0.07, 0.13);
        // AND the frontend, which payments does not list as a caller, is refused by payments' proxy (mTLS identity)
        var denied = b.probes().get(0);
        assertThat(denied.name()).isEqualTo("frontend->payments");
        assertThat(denied.succeeded()).as("requests payments let through").isZero();
        assertThat(denied.failuresByStatus()).containsOnlyKeys("403");
        assertThat(started.mesh()).isEqualTo("shop");

        // WHEN the spec is edited to 50/50 while it runs
        String frontendSnapshot = instance(b, "frontend-v1-0").snapshotVersion();
        String canary90to10 = "weight: 90\n          - version: v2\n            weight: 10\n";
        String edited = Files.readString(spec).replace(canary90to10,
                "weight: 50\n          - version: v2\n            weight: 50\n");
        assertThat(edited).as("the example's canary block").doesNotContain(canary90to10).contains("weight: 50");
        Files.writeString(spec, edited);
        awaitStatus(statusPort, Duration.ofSeconds(20),
                s -> !frontendSnapshot.equals(instance(s, "frontend-v1-0").snapshotVersion()), log);
        MeshStatus c = status(statusPort);
        Thread.sleep(10_000);
        MeshStatus d = status(statusPort);

        // THEN the split follows within seconds
        assertThat(v2Share(c, d)).isBetween(0.4, 0.6);

        // WHEN Ctrl-C
        new ProcessBuilder("kill", "-INT", Long.toString(up.pid())).start().waitFor();

        // THEN it stops everything it started and exits
        assertThat(up.waitFor(30, TimeUnit.SECONDS)).as("exited after SIGINT").isTrue();
        assertThat(up.toHandle().descendants().filter(ProcessHandle::isAlive).count()).isZero();
        assertThat(accepts(statusPort)).as("status port closed").isFalse();
        assertThat(Files.readString(log)).contains("Mesh 'shop' is up");
    }

    private static double v2Share(MeshStatus from, MeshStatus to) {
        long v1 = canary(to, "orders/v1") - canary(from, "orders/v1");
        long v2 = canary(to, "orders/v2") - canary(from, "orders/v2");
        assertThat(v1 + v2).as("canary requests in the window").isGreaterThan(300);
        return (double) v2 / (v1 + v2);
    }

    private static long canary(MeshStatus status, String cluster) {
        return status.routes().stream()
                .filter(r -> r.caller().equals("frontend") && r.route().equals("canary") && r.cluster().equals(cluster))
                .mapToLong(MeshStatus.RouteStatus::requests).sum();
    }

    private static long retries(MeshStatus status, String caller, String service) {
        return status.routes().stream().filter(r -> r.caller().equals(caller) && r.service().equals(service))
                .mapToLong(MeshStatus.RouteStatus::retries).sum();
    }

    private static MeshStatus.InstanceStatus instance(MeshStatus status, String name) {
        return status.instances().stream().filter(i -> i.name().equals(name)).findFirst().orElseThrow();
    }

    /** {@code trellis status --json}, run as the CLI runs it. */
    private static MeshStatus status(int port) throws IOException {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        var cli = dev.trellis.cli.Trellis.commandLine();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        int exit = cli.execute("status", "--json", "--status-port", Integer.toString(port));
        if (exit != 0) {
            throw new IOException("trellis status failed: " + err);
        }
        return JSON.readValue(out.toString(), MeshStatus.class);
    }

    private MeshStatus awaitStatus(int port, Duration limit, Predicate<MeshStatus> condition, Path log)
            throws Exception {
        long deadline = System.nanoTime() + limit.toNanos();
        MeshStatus last = null;
        while (System.nanoTime() < deadline) {
            assertThat(up.isAlive()).as("trellis up is running; its log:%n%s", Files.readString(log)).isTrue();
            try {
                last = status(port);
                if (condition.test(last)) {
                    return last;
                }
            } catch (IOException notYet) {
                // not serving status yet
            }
            Thread.sleep(500);
        }
        throw new AssertionError("condition not met within " + limit + "; last status: " + last
                + "\nlog:\n" + Files.readString(log));
    }

    private static boolean accepts(int port) {
        try (Socket ignored = new Socket("127.0.0.1", port)) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private static String javaBin() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }
}
