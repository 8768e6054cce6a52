package dev.trellis.proxy.mirror;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trellis.proxy.ProxyServer;
import dev.trellis.proxy.fixtures.Clients;
import dev.trellis.proxy.fixtures.Mesh;
import dev.trellis.proxy.fixtures.StaticSnapshotSource;
import dev.trellis.proxy.fixtures.UpstreamServer;
import dev.trellis.proxy.http.HttpLimits;
import dev.trellis.proxy.metrics.ProxyMetrics;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Mirroring streams the body: copies of bodies past the retry buffer, dropped (and counted) when the mirror falls behind")
class StreamingMirrorTest {

    /** Far below the bodies sent: the real request is not replayable, yet the copy must be whole. */
    private static final int RETRY_BUFFER = 16 * 1024;

    UpstreamServer primary;
    ProxyServer proxy;
    final ProxyMetrics metrics = ProxyMetrics.builder().jvmMeters(false).build();

    @AfterEach
    void stop() {
        proxy.close();
        metrics.close();
        primary.close();
    }

    private HttpClient start(int mirrorPort) throws Exception {
        return start(mirrorPort, "http");
    }

    private HttpClient start(int mirrorPort, String protocol) throws Exception {
        primary = "http".equals(protocol)
                ? UpstreamServer.http1("primary", r -> UpstreamServer.ok("received " + r.body().length()))
                : UpstreamServer.http2("primary", r -> UpstreamServer.ok("received " + r.body().length()));
        proxy = ProxyServer.builder(new StaticSnapshotSource(Mesh.spec("""
                  - name: orders
                    protocol: %s
                    port: 8081
                    versions: [v1, shadow]
                    retry: { attempts: 0 }
                    routes:
                      - name: mirrored
                        match: { pathPrefix: / }
                        targets: [{ version: v1, weight: 1 }]
                        mirror: { version: shadow, percent: 100 }
                """.formatted(protocol)).endpoints("orders", "v1", primary).endpoint("orders", "shadow", mirrorPort).snapshot()))
                .bindAddress("127.0.0.1").outboundPort(0).inboundPort(0).eventLoops(1)
                .limits(HttpLimits.DEFAULT.withRetryBufferBytes(RETRY_BUFFER)).metrics(metrics)
                .build().start();
        return Clients.viaProxy(proxy.outboundPort());
    }

    private static HttpResponse<String> post(HttpClient client, byte[] body) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create("http://orders:8081/upload")).timeout(Duration.ofSeconds(10))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static byte[] body(int size) {
        byte[] body = new byte[size];
        for (int i = 0; i < size; i++) {
            body[i] = (byte) ('a' + i % 26);
        }
        return body;
    }

    @Test
    @DisplayName("GIVEN a 16 KiB retry buffer WHEN a 256 KiB POST is mirrored THEN the mirror receives the whole body with a -shadow Host, and the caller the primary's 200")
    void bodyPastTheRetryBufferIsMirrored() throws Exception {
        try (UpstreamServer shadow = UpstreamServer.http1("shadow", r -> UpstreamServer.ok("shadow"))) {
            HttpClient client = start(shadow.port());
            byte[] body = body(256 * 1024);

            HttpResponse<String> response = post(client, body);

            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.body()).isEqualTo("received " + body.length);
            long deadline = System.nanoTime() + 3_000_000_000L;
            while (shadow.requests() == 0 && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertThat(shadow.requests()).isEqualTo(1);
            UpstreamServer.Received copy = shadow.received().get(0);
            assertThat(copy.body()).isEqualTo(new String(body, StandardCharsets.US_ASCII));
            assertThat(copy.header("host")).isEqualTo("orders-shadow:8081");
            assertThat(metrics.scrape()).doesNotContainPattern("trellis_proxy_mirror_dropped_total\\{[^}]*} [1-9]");
        }
    }

    @Test
    @DisplayName("GIVEN an HTTP/2 mirror (64 KiB initial window) WHEN a 1 MiB POST is mirrored THEN the copy waits for window updates instead of being dropped, and arrives whole")
    void http2MirrorWaitsForItsWindow() throws Exception {
        try (UpstreamServer shadow = UpstreamServer.http2("shadow", r -> UpstreamServer.ok("shadow"))) {
            HttpClient client = start(shadow.port(), "http2");
            byte[] body = body(1024 * 1024);

            HttpResponse<String> response = post(client, body);

            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.body()).isEqualTo("received " + body.length);
            long deadline = System.nanoTime() + 3_000_000_000L;
            while (shadow.requests() == 0 && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertThat(shadow.requests()).isEqualTo(1);
            assertThat(shadow.received().get(0).body()).hasSize(body.length)
                    .isEqualTo(new String(body, StandardCharsets.US_ASCII));
            assertThat(metrics.scrape()).doesNotContainPattern("trellis_proxy_mirror_dropped_total\\{[^}]*} [1-9]");
        }
    }

    @Test
    @DisplayName("GIVEN a mirror that accepts but never reads WHEN a 12 MiB POST is mirrored THEN the copy is dropped and counted, and the caller still gets the primary's 200")
    void mirrorThatFallsBehindIsDropped() throws Exception {
        try (StalledServer stalled = new StalledServer()) {
            HttpClient client = start(stalled.port());
            byte[] body = body(12 * 1024 * 1024);

            HttpResponse<String> response = post(client, body);

            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.body()).isEqualTo("received " + body.length);
            assertThat(metrics.scrape()).containsPattern(
                    "trellis_proxy_mirror_dropped_total\\{[^}]*cluster=\"orders/shadow\"[^}]*} 1\\.0");
        }
    }

    /** Accepts connections and never reads from them, with a small receive buffer: a mirror that cannot keep up. */
    private static final class StalledServer implements AutoCloseable {
        private final ServerSocket server;
        private final List<Socket> accepted = new ArrayList<>();
        private final Thread acceptor;

        StalledServer() throws IOException {
            server = new ServerSocket();
            server.setReceiveBufferSize(4096);
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            acceptor = new Thread(() -> {
                try {
                    while (true) {
                        Socket socket = server.accept();
                        synchronized (accepted) {
                            accepted.add(socket);
                        }
                    }
                } catch (IOException closed) {
                    // The test is over.
                }
            }, "stalled-mirror");
            acceptor.setDaemon(true);
            acceptor.start();
        }

        int port() {
            return server.getLocalPort();
        }

        @Override
        public void close() throws Exception {
            server.close();
            acceptor.join(1_000);
            synchronized (accepted) {
                for (Socket socket : accepted) {
                    socket.close();
                }
            }
        }
    }
}
