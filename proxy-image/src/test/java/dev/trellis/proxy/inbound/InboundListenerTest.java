package dev.trellis.proxy.inbound;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trellis.proxy.ProxyServer;
import dev.trellis.proxy.fixtures.Clients;
import dev.trellis.proxy.fixtures.H2Client;
import dev.trellis.proxy.fixtures.Mesh;
import dev.trellis.proxy.fixtures.UpstreamServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Inbound listener: peers reach the local app")
class InboundListenerTest {

    static UpstreamServer app;
    static ProxyServer proxy;

    @BeforeAll
    static void start() throws Exception {
        app = UpstreamServer.http1("app", UpstreamServer.echo());
        proxy = Mesh.start(Mesh.spec("").snapshotWithApp(app.port()));
    }

    @AfterAll
    static void stop() {
        proxy.close();
        app.close();
    }

    @Test
    @DisplayName("GIVEN any Host WHEN a peer calls the inbound port THEN the request reaches 127.0.0.1:appPort unchanged")
    void forwardsToApp() throws Exception {
        String response = Clients.raw(proxy.inboundPort(),
                "POST /orders?id=1 HTTP/1.1\r\nHost: app.test.local\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello", 3000);

        assertThat(response).startsWith("HTTP/1.1 200 OK\r\n").endsWith("hello");
        UpstreamServer.Received received = app.received().get(app.requests() - 1);
        assertThat(received.uri()).isEqualTo("/orders?id=1");
        assertThat(received.header("host")).isEqualTo("app.test.local");
    }

    @Test
    @DisplayName("GIVEN an HTTP/2 peer WHEN it calls the inbound port THEN the HTTP/1.1 app answers it")
    void http2Peer() throws Exception {
        try (H2Client client = H2Client.connect(proxy.inboundPort())) {
            H2Client.Response response = client.send(H2Client.get("app", "/h2"), null);

            assertThat(response.status()).isEqualTo("200");
            assertThat(response.body()).isEqualTo("app");
        }
    }

    @Test
    @DisplayName("GIVEN the app is down WHEN a peer calls THEN 503 upstream-connect-failure and the proxy stays up")
    void appDown() throws Exception {
        try (ProxyServer lonely = Mesh.start(Mesh.spec("").snapshotWithApp(closedPort()))) {
            String response = Clients.raw(lonely.inboundPort(), "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", 3000);

            assertThat(response).startsWith("HTTP/1.1 503 Service Unavailable\r\n")
                    .contains("x-trellis-error: upstream-connect-failure");
        }
    }

    @Test
    @DisplayName("GIVEN an app port given to the proxy WHEN the snapshot names another THEN the proxy's own wins (several instances per host)")
    void appPortOverride() throws Exception {
        try (ProxyServer own = dev.trellis.proxy.ProxyServer.builder(
                new dev.trellis.proxy.fixtures.StaticSnapshotSource(Mesh.spec("").snapshotWithApp(closedPort())))
                .bindAddress("127.0.0.1").outboundPort(0).inboundPort(0).eventLoops(1).appPort(app.port()).build().start()) {
            String response = Clients.raw(own.inboundPort(), "GET /own HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", 3000);

            assertThat(response).startsWith("HTTP/1.1 200 OK\r\n");
        }
    }

    private static int closedPort() throws Exception {
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
