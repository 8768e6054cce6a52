package dev.trellis.snapshot.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.trellis.snapshot.Endpoint;
import dev.trellis.snapshot.ProxySnapshot;
import dev.trellis.snapshot.Snapshots;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The proxy's long-poll client against a small controller on a loopback socket. */
class ControllerSnapshotSourceTest {

    private static final ProxySnapshot ONE = TestSnapshots.frontend(Map.of("orders/v1", List.of(Endpoint.of("10.0.0.1", 15000))));
    private static final ProxySnapshot TWO = TestSnapshots.frontend(Map.of("orders/v1", List.of(Endpoint.of("10.0.0.2", 15000))));

    @TempDir
    Path dir;
    private FakeController controller;

    @BeforeEach
    void startController() throws Exception {
        controller = FakeController.start();
    }

    @AfterEach
    void stopController() {
        controller.close();
    }

    private ControllerSnapshotSource.Builder source(URI uri) {
        return ControllerSnapshotSource.builder(uri, "frontend")
                .proxyId("frontend-7")
                .backoff(Backoff.exponential(Duration.ofMillis(10), Duration.ofMillis(50)));
    }

    @Test
    @DisplayName("GIVEN a controller serving a snapshot WHEN the source starts THEN the listener gets it once, and the request named the proxy")
    void deliversTheControllersSnapshotOnce() throws Exception {
        controller.serve(ONE);
        TestSnapshots.Recorder proxy = new TestSnapshots.Recorder();
        try (ControllerSnapshotSource source = source(controller.uri()).build()) {
            source.start(proxy::accept);
            proxy.await(s -> true, Duration.ofSeconds(5));
            Thread.sleep(150);

            assertThat(proxy.applied).containsExactly(ONE);
            assertThat(source.appliedVersion()).hasValue(ONE.version());
            assertThat(controller.proxyHeaders).isNotEmpty().allMatch("frontend-7"::equals);
            assertThat(controller.ifNoneMatch).contains("\"" + ONE.version() + "\"");
            assertThat(controller.sent.get()).isEqualTo(1);
        }
    }

    @Test
    @DisplayName("GIVEN a delivered snapshot WHEN the controller's changes THEN the listener gets the new one")
    void deliversEachNewVersion() throws Exception {
        controller.serve(ONE);
        TestSnapshots.Recorder proxy = new TestSnapshots.Recorder();
        try (ControllerSnapshotSource source = source(controller.uri()).build()) {
            source.start(proxy::accept);
            proxy.await(s -> true, Duration.ofSeconds(5));

            controller.serve(TWO);

            proxy.await(TWO::equals, Duration.ofSeconds(5));
            assertThat(proxy.applied).containsExactly(ONE, TWO);
        }
    }

    @Test
    @DisplayName("GIVEN a controller that sends a snapshot whose version is not its content's hash WHEN the source reads it THEN it is not applied")
    void refusesASnapshotWhoseVersionIsNotItsHash() throws Exception {
        String tampered = Snapshots.toJson(ONE).replace("10.0.0.1", "10.6.6.6");
        controller.serveRaw(tampered, ONE.version());
        TestSnapshots.Recorder proxy = new TestSnapshots.Recorder();
        try (ControllerSnapshotSource source = source(controller.uri()).build()) {
            source.start(proxy::accept);
            Thread.sleep(300);
            assertThat(proxy.applied).isEmpty();

            controller.serve(TWO);
            proxy.await(TWO::equals, Duration.ofSeconds(5));
            assertThat(proxy.applied).containsExactly(TWO);
        }
    }

    @Test
    @DisplayName("GIVEN a snapshot file WHEN a snapshot is delivered THEN it is persisted whole, with no temporary file left")
    void persistsEachDeliveredSnapshotAtomically() throws Exception {
        controller.serve(ONE);
        Path file = dir.resolve("state/snapshot.json");
        TestSnapshots.Recorder proxy = new TestSnapshots.Recorder();
        try (ControllerSnapshotSource source = source(controller.uri()).snapshotFile(file).build()) {
            source.start(proxy::accept);
            proxy.await(s -> true, Duration.ofSeconds(5));
            controller.serve(TWO);
            proxy.await(TWO::equals, Duration.ofSeconds(5));
            Thread.sleep(50);
        }

        assertThat(SnapshotFile.at(file).load()).hasValue(TWO);
        try (Stream<Path> files = Files.list(file.getParent())) {
            assertThat(files).containsExactly(file);
        }
    }

    @Test
    @DisplayName("GIVEN a persisted snapshot WHEN the proxy starts and the controller is unreachable THEN it serves the persisted snapshot")
    void startsFromThePersistedSnapshotWhenTheControllerIsUnreachable() throws Exception {
        Path file = dir.resolve("snapshot.json");
        SnapshotFile.at(file).save(ONE);
        TestSnapshots.Recorder proxy = new TestSnapshots.Recorder();
        try (ControllerSnapshotSource source = source(unreachable()).snapshotFile(file).build()) {
            source.start(proxy::accept);

            assertThat(proxy.await(s -> true, Duration.ofSeconds(5))).isEqualTo(ONE);
            assertThat(source.origin()).isEqualTo(ControllerSnapshotSource.Origin.PERSISTED);
        }
    }

    @Test
    @DisplayName("GIVEN a persisted snapshot of another service WHEN the proxy starts THEN it is ignored")
    void ignoresAPersistedSnapshotOfAnotherService() throws Exception {
        Path file = dir.resolve("snapshot.json");
        SnapshotFile.at(file).save(dev.trellis.snapshot.SnapshotCompiler.compile(TestSnapshots.SHOP, "orders",
                (s, v) -> List.of()));
        TestSnapshots.Recorder proxy = new TestSnapshots.Recorder();
        try (ControllerSnapshotSource source = source(unreachable()).snapshotFile(file).build()) {
            source.start(proxy::accept);
            Thread.sleep(200);

            assertThat(proxy.applied).isEmpty();
            assertThat(source.origin()).isEqualTo(ControllerSnapshotSource.Origin.NONE);
        }
    }

    @Test
    @DisplayName("GIVEN a proxy serving a persisted snapshot WHEN the controller comes back with a newer one THEN the proxy applies it")
    void switchesToTheControllerWhenItComesBack() throws Exception {
        Path file = dir.resolve("snapshot.json");
        SnapshotFile.at(file).save(ONE);
        TestSnapshots.Recorder proxy = new TestSnapshots.Recorder();
        try (ControllerSnapshotSource source = source(controller.uri()).snapshotFile(file).build()) {
            source.start(proxy::accept); // the fake answers 503 until it has a body
            proxy.await(ONE::equals, Duration.ofSeconds(5));

            controller.serve(TWO);

            proxy.await(TWO::equals, Duration.ofSeconds(5));
            assertThat(source.origin()).isEqualTo(ControllerSnapshotSource.Origin.CONTROLLER);
            assertThat(proxy.applied).containsExactly(ONE, TWO);
        }
    }

    @Test
    @DisplayName("GIVEN a closed source WHEN the controller changes THEN the listener is not called again")
    void closedSourceCallsNoMore() throws Exception {
        controller.serve(ONE);
        TestSnapshots.Recorder proxy = new TestSnapshots.Recorder();
        ControllerSnapshotSource source = source(controller.uri()).build();
        source.start(proxy::accept);
        proxy.await(s -> true, Duration.ofSeconds(5));

        source.close();
        controller.serve(TWO);
        Thread.sleep(200);

        assertThat(proxy.applied).containsExactly(ONE);
    }

    @Test
    @DisplayName("GIVEN a source WHEN it is started twice THEN the second start fails")
    void startsOnlyOnce() {
        controller.serve(ONE);
        try (ControllerSnapshotSource source = source(controller.uri()).build()) {
            source.start(s -> { });
            assertThatThrownBy(() -> source.start(s -> { }))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessage("started: already (expected: one start per source)");
        }
    }

    @Test
    @DisplayName("GIVEN a wait outside 1..60 seconds WHEN the builder takes it THEN it fails naming the value")
    void waitIsBounded() {
        assertThatThrownBy(() -> source(controller.uri()).wait(Duration.ofSeconds(61)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("wait: PT1M1S (expected: 1s..60s)");
    }

    private static URI unreachable() throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
        }
        return URI.create("http://127.0.0.1:" + port);
    }
}
