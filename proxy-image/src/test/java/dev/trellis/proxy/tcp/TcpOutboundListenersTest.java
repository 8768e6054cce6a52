package dev.trellis.proxy.tcp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trellis.proxy.fixtures.Mesh;
import dev.trellis.snapshot.Cluster;
import dev.trellis.snapshot.Endpoint;
import dev.trellis.snapshot.ProxySnapshot;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** TCP services of a snapshot, each on its own port, relayed to their hosts. */
@Timeout(20)
class TcpOutboundListenersTest {

    @Test
    void givenATcpServiceInTheSnapshot_whenTheAppConnectsToItsPort_thenBytesReachAHostAndComeBack() throws Exception {
        try (ServerSocket echo = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Thread echoing = new Thread(() -> echoOnce(echo));
            echoing.setDaemon(true);
            echoing.start();
            int dbPort = freePort();
            ProxySnapshot snapshot = Mesh.spec("  - name: db\n    protocol: tcp\n    port: " + dbPort + "\n")
                    .endpoint("db", "v1", echo.getLocalPort()).snapshot();

            try (TcpOutboundListeners tcp = TcpOutboundListeners.start(snapshot, () -> snapshot, "127.0.0.1",
                    new SimpleMeterRegistry());
                    Socket app = new Socket("127.0.0.1", dbPort)) {
                app.setSoTimeout(5000);
                app.getOutputStream().write("SELECT 1".getBytes(StandardCharsets.US_ASCII));
                app.shutdownOutput();

                assertThat(new String(app.getInputStream().readAllBytes(), StandardCharsets.US_ASCII))
                        .isEqualTo("SELECT 1");
                assertThat(tcp.listeners()).hasSize(1);
                assertThat(tcp.serverChannels()).hasSize(1);
            }
        }
    }

    @Test
    void givenOnlyHttpServicesOrTheProxysOwnTcpService_whenStarted_thenNothingListens() throws Exception {
        int dbPort = freePort();
        ProxySnapshot dbsOwn = Mesh.spec("  - name: db\n    protocol: tcp\n    port: " + dbPort + "\n")
                .snapshot();
        ProxySnapshot forDb = new ProxySnapshot(dbsOwn.version(), dbsOwn.mesh(), "db", dbsOwn.identity(),
                dbsOwn.trustDomain(), dbsOwn.inbound(), dbsOwn.outbound(), dbsOwn.clusters());

        try (TcpOutboundListeners tcp = TcpOutboundListeners.start(forDb, () -> forDb, "127.0.0.1",
                new SimpleMeterRegistry())) {
            assertThat(tcp.listeners()).isEmpty();
            assertThat(tcp.activeConnections()).isZero();
        }
    }

    @Test
    void givenHealthyAndUnhealthyHosts_whenPicking_thenOnlyHealthyOnesInTurn() {
        ProxySnapshot compiled = Mesh.spec("  - name: db\n    protocol: tcp\n    port: 5432\n").snapshot();
        List<Cluster> clusters = new ArrayList<>();
        for (Cluster cluster : compiled.clusters()) {
            clusters.add(cluster.name().equals("db/v1") ? cluster.withEndpoints(List.of(
                    new Endpoint("10.0.0.1", 5432, null, true, null),
                    new Endpoint("10.0.0.2", 5432, null, false, null),
                    new Endpoint("10.0.0.3", 5432, null, true, null))) : cluster);
        }
        ProxySnapshot snapshot = new ProxySnapshot(compiled.version(), compiled.mesh(), compiled.service(),
                compiled.identity(), compiled.trustDomain(), compiled.inbound(), compiled.outbound(), clusters);
        SnapshotUpstreamPicker picker = SnapshotUpstreamPicker.of(() -> snapshot, "db");

        Set<String> picked = new HashSet<>();
        for (int i = 0; i < 10; i++) {
            InetSocketAddress host = picker.pick().orElseThrow();
            picked.add(host.getHostString());
        }

        assertThat(picked).containsExactlyInAnyOrder("10.0.0.1", "10.0.0.3");
    }

    @Test
    void givenAServiceWithoutHostsOrUnknown_whenPicking_thenNothing() {
        ProxySnapshot snapshot = Mesh.spec("  - name: db\n    protocol: tcp\n    port: 5432\n").snapshot();

        assertThat(SnapshotUpstreamPicker.of(() -> snapshot, "db").pick()).isEmpty();
        assertThat(SnapshotUpstreamPicker.of(() -> snapshot, "cache").pick()).isEmpty();
        assertThat(SnapshotUpstreamPicker.of(() -> null, "db").pick()).isEqualTo(Optional.empty());
    }

    private static void echoOnce(ServerSocket server) {
        try (Socket socket = server.accept()) {
            InputStream in = socket.getInputStream();
            OutputStream out = socket.getOutputStream();
            out.write(in.readAllBytes());
            socket.shutdownOutput();
        } catch (IOException closed) {
            // the test ended
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
