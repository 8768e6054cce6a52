package dev.trellis.controller.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.trellis.controller.Controller;
import dev.trellis.controller.registry.Registry;
import dev.trellis.controller.spec.FileSpecReader;
import dev.trellis.controller.testing.Http;
import dev.trellis.controller.testing.TestMesh;
import dev.trellis.snapshot.ProxySnapshot;
import dev.trellis.snapshot.Route;
import dev.trellis.snapshot.client.Backoff;
import dev.trellis.snapshot.client.ControllerSnapshotSource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Local mode end to end: a spec file, the controller, and a proxy's {@link ControllerSnapshotSource}. */
class FileSpecToProxyTest {

    @TempDir
    Path dir;
    private Path specFile;
    private Controller controller;

    @BeforeEach
    void startController() throws Exception {
        specFile = dir.resolve("mesh.yaml");
        TestMesh.write(specFile, TestMesh.SHOP);
        controller = Controller.builder(new FileSpecReader(specFile), Registry.inMemory())
                .host("127.0.0.1").port(0).specInterval(Duration.ofMillis(50)).debounce(Duration.ofMillis(5))
                .start();
    }

    @AfterEach
    void stopController() {
        controller.close();
    }

    private ControllerSnapshotSource.Builder source(String service) {
        return ControllerSnapshotSource.builder(controller.uri(), service)
                .proxyId(service + "-test")
                .backoff(Backoff.exponential(Duration.ofMillis(20), Duration.ofMillis(100)));
    }

    @Test
    @DisplayName("GIVEN a proxy long-polling the controller WHEN the spec file changes THEN the proxy applies the new snapshot")
    void specFileChangeReachesALongPollingProxy() throws Exception {
        Snapshots2Proxy proxy = new Snapshots2Proxy();
        try (ControllerSnapshotSource source = source("frontend").build()) {
            source.start(proxy::accept);
            ProxySnapshot first = proxy.await(s -> true, Duration.ofSeconds(5));
            assertThat(canaryWeightOfV2(first)).isEqualTo(10);

            TestMesh.write(specFile, TestMesh.shopWithCanary(50));

            ProxySnapshot changed = proxy.await(s -> canaryWeightOfV2(s) == 50, Duration.ofSeconds(5));
            assertThat(changed.version()).isNotEqualTo(first.version());
            assertThat(proxy.applied).hasSize(2);
        }
    }

    @Test
    @DisplayName("GIVEN a serving controller WHEN the spec file becomes invalid THEN it is refused, status shows why, and proxies keep the last valid snapshot")
    void invalidSpecChangeIsRefusedAndTheOldOneKeepsServing() throws Exception {
        Snapshots2Proxy proxy = new Snapshots2Proxy();
        try (ControllerSnapshotSource source = source("orders").build()) {
            source.start(proxy::accept);
            ProxySnapshot before = proxy.await(s -> true, Duration.ofSeconds(5));

            TestMesh.write(specFile, TestMesh.shopWithInvalidPort());
            JsonNode status = awaitRejection();

            assertThat(status.at("/spec/rejected/problems/0").asText()).contains("payments").contains("port: 0");
            assertThat(status.at("/spec/version").asText()).isEqualTo(controller.snapshots().spec().orElseThrow().version());
            assertThat(Http.get(controller.uri().resolve("/v1/snapshots/orders")).headers().firstValue("ETag"))
                    .hasValue("\"" + before.version() + "\"");
            Thread.sleep(200);
            assertThat(proxy.applied).containsExactly(before);

            TestMesh.write(specFile, TestMesh.shopWithCanary(30));
            proxy.await(s -> canaryWeightOfV2(s) == 30, Duration.ofSeconds(5));
        }
    }

    @Test
    @DisplayName("GIVEN a proxy that persisted its snapshot WHEN it restarts while the controller is down THEN it serves the persisted snapshot")
    void proxyRestartedWhileControllerIsDownServesItsPersistedSnapshot() throws Exception {
        Path persisted = dir.resolve("proxy/snapshot.json");
        Snapshots2Proxy firstRun = new Snapshots2Proxy();
        try (ControllerSnapshotSource source = source("payments").snapshotFile(persisted).build()) {
            source.start(firstRun::accept);
            firstRun.await(s -> true, Duration.ofSeconds(5));
            awaitFile(persisted);
        }
        ProxySnapshot known = firstRun.last();
        controller.close();

        Snapshots2Proxy secondRun = new Snapshots2Proxy();
        try (ControllerSnapshotSource source = source("payments").snapshotFile(persisted).build()) {
            source.start(secondRun::accept);
            ProxySnapshot restored = secondRun.await(s -> true, Duration.ofSeconds(5));

            assertThat(restored).isEqualTo(known);
            assertThat(source.origin()).isEqualTo(ControllerSnapshotSource.Origin.PERSISTED);
        }
    }

    @Test
    @DisplayName("GIVEN a proxy restarted with a persisted snapshot the controller still serves WHEN it starts THEN it applies it at once and is not sent it again")
    void persistedSnapshotStillCurrentIsConfirmedNotResent() throws Exception {
        Path persisted = dir.resolve("proxy/snapshot.json");
        Snapshots2Proxy firstRun = new Snapshots2Proxy();
        try (ControllerSnapshotSource source = source("payments").snapshotFile(persisted).build()) {
            source.start(firstRun::accept);
            firstRun.await(s -> true, Duration.ofSeconds(5));
            awaitFile(persisted);
        }
        double sentBefore = counter("trellis_snapshots_responses_total{status=\"200\"");

        Snapshots2Proxy secondRun = new Snapshots2Proxy();
        try (ControllerSnapshotSource source = source("payments").snapshotFile(persisted).build()) {
            source.start(secondRun::accept);
            ProxySnapshot restored = secondRun.await(s -> true, Duration.ofSeconds(5));
            Thread.sleep(200);

            assertThat(restored).isEqualTo(firstRun.last());
            assertThat(source.origin()).isEqualTo(ControllerSnapshotSource.Origin.CONTROLLER);
            assertThat(counter("trellis_snapshots_responses_total{status=\"200\"")).isEqualTo(sentBefore);
        }
    }

    private double counter(String prefix) {
        String metrics = Http.get(controller.uri().resolve("/metrics")).body();
        return metrics.lines().filter(l -> l.startsWith(prefix)).mapToDouble(l -> Double.parseDouble(
                l.substring(l.lastIndexOf(' ') + 1))).sum();
    }

    private JsonNode awaitRejection() throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (System.nanoTime() < deadline) {
            JsonNode status = new ObjectMapper().readTree(Http.get(controller.uri().resolve("/v1/status")).body());
            if (!status.at("/spec/rejected").isMissingNode()) {
                return status;
            }
            Thread.sleep(20);
        }
        throw new AssertionError("the invalid spec was not reported as rejected within 5s");
    }

    private static void awaitFile(Path file) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (!Files.exists(file) && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(file).exists();
    }

    private static int canaryWeightOfV2(ProxySnapshot snapshot) {
        return snapshot.outbound().services().stream().filter(s -> s.name().equals("orders")).findFirst().orElseThrow()
                .routes().get(0).targets().stream().filter(t -> t.cluster().equals("orders/v2"))
                .mapToInt(Route.WeightedCluster::weight).sum();
    }
}
