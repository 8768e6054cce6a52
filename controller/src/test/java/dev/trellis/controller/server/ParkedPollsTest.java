package dev.trellis.controller.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trellis.controller.Controller;
import dev.trellis.controller.registry.InMemoryRegistry;
import dev.trellis.controller.registry.RegisteredInstance;
import dev.trellis.controller.registry.Registry;
import dev.trellis.controller.spec.FileSpecReader;
import dev.trellis.controller.testing.Http;
import dev.trellis.controller.testing.TestMesh;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Many waiting proxies hold connections, not threads. */
class ParkedPollsTest {

    private static final int PROXIES = 500;

    @TempDir
    Path dir;

    @Test
    @DisplayName("GIVEN 500 proxies parked on their current version THEN the controller holds no thread for them, and one registration answers them all")
    void parkedPollsHoldNoThreads() throws Exception {
        Path spec = dir.resolve("mesh.yaml");
        TestMesh.write(spec, TestMesh.SHOP);
        InMemoryRegistry registry = Registry.inMemory();
        try (Controller controller = Controller.builder(new FileSpecReader(spec), registry)
                .host("127.0.0.1").port(0).debounce(Duration.ofMillis(5)).start()) {
            String etag = Http.get(controller.uri().resolve("/v1/snapshots/orders")).headers().firstValue("ETag").orElseThrow();
            int threadsBefore = ManagementFactory.getThreadMXBean().getThreadCount();
            List<Socket> sockets = new ArrayList<>();
            try {
                for (int i = 0; i < PROXIES; i++) {
                    Socket socket = new Socket(InetAddress.getLoopbackAddress(), controller.port());
                    socket.setSoTimeout(10_000);
                    OutputStream out = socket.getOutputStream();
                    out.write(("GET /v1/snapshots/orders HTTP/1.1\r\nHost: controller\r\nIf-None-Match: " + etag
                            + "\r\nPrefer: wait=30\r\nX-Trellis-Proxy: p" + i + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                    sockets.add(socket);
                }
                awaitWaiting(controller, PROXIES);
                int threadsParked = ManagementFactory.getThreadMXBean().getThreadCount();

                registry.register(new RegisteredInstance("orders", "o1", "10.0.0.1", 15000, "v1", null, true, null));

                for (Socket socket : sockets) {
                    BufferedReader reader = new BufferedReader(new InputStreamReader(socket.getInputStream(),
                            StandardCharsets.US_ASCII));
                    assertThat(reader.readLine()).isEqualTo("HTTP/1.1 200 OK");
                }
                assertThat(threadsParked - threadsBefore).as("threads added while %d polls were parked", PROXIES)
                        .isLessThan(20);
            } finally {
                for (Socket socket : sockets) {
                    socket.close();
                }
            }
        }
    }

    private static void awaitWaiting(Controller controller, int expected) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (System.nanoTime() < deadline) {
            String metrics = Http.get(controller.uri().resolve("/metrics")).body();
            if (metrics.lines().anyMatch(l -> l.equals("trellis_snapshots_waiting " + expected + ".0"))) {
                return;
            }
            Thread.sleep(20);
        }
        throw new AssertionError("fewer than " + expected + " polls were parked within 20s");
    }
}
