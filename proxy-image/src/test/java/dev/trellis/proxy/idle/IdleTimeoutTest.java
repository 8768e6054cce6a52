package dev.trellis.proxy.idle;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trellis.proxy.ProxyServer;
import dev.trellis.proxy.fixtures.Clients;
import dev.trellis.proxy.fixtures.H2Client;
import dev.trellis.proxy.fixtures.Mesh;
import dev.trellis.proxy.fixtures.UpstreamServer;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Idle timeouts (timeouts.idle): callers' connections and pooled upstream connections close after a time unused")
class IdleTimeoutTest {

    private static final long IDLE_MILLIS = 300;

    UpstreamServer upstream;
    ProxyServer proxy;

    @AfterEach
    void stop() {
        proxy.close();
        upstream.close();
    }

    /** Both the calling app's routes and the called service's say 300 ms: the outbound listener takes the longest. */
    private void start(UpstreamServer server, String protocol) throws Exception {
        upstream = server;
        proxy = Mesh.start(Mesh.spec("""
                    timeouts: { idle: 300ms }
                  - name: orders
                    protocol: %s
                    port: 8081
                    timeouts: { idle: 300ms }
                """.formatted(protocol)).endpoints("orders", "v1", upstream).snapshot());
    }

    private static String get() {
        return "GET http://orders/ HTTP/1.1\r\nHost: orders\r\n\r\n";
    }

    @Test
    @DisplayName("GIVEN idle 300ms WHEN an HTTP/1.1 caller's keep-alive connection stays unused after a response THEN the proxy closes it after about 300 ms, not before")
    void http1CallerConnectionClosesWhenIdle() throws Exception {
        start(UpstreamServer.http1("orders", r -> UpstreamServer.ok("ok")), "http");

        long started = System.nanoTime();
        // Reads until the proxy closes the connection (or 5 s pass).
        String answer = Clients.raw(proxy.outboundPort(), get(), 5_000);
        long elapsedMillis = (System.nanoTime() - started) / 1_000_000;

        assertThat(answer).startsWith("HTTP/1.1 200").endsWith("ok").doesNotContainIgnoringCase("connection: close");
        assertThat(elapsedMillis).isBetween(IDLE_MILLIS - 50, 3_000L);
    }

    @Test
    @DisplayName("GIVEN idle 300ms WHEN a request is in flight for 1 s THEN its connection stays open, the response arrives, and the idle time counts from there")
    void requestInFlightKeepsTheConnection() throws Exception {
        start(UpstreamServer.http1("orders", r -> UpstreamServer.delay(1_000, UpstreamServer.ok("late"))), "http");

        long started = System.nanoTime();
        String answer = Clients.raw(proxy.outboundPort(), get(), 5_000);
        long elapsedMillis = (System.nanoTime() - started) / 1_000_000;

        assertThat(answer).startsWith("HTTP/1.1 200").endsWith("late");
        assertThat(elapsedMillis).isBetween(1_000 + IDLE_MILLIS - 50, 4_000L);
    }

    @Test
    @DisplayName("GIVEN idle 300ms WHEN an HTTP/2 caller's connection has no stream open THEN the proxy sends GOAWAY NO_ERROR and closes it")
    void http2CallerGetsGoAway() throws Exception {
        start(UpstreamServer.http1("orders", r -> UpstreamServer.ok("ok")), "http");
        try (H2Client client = H2Client.connect(proxy.outboundPort())) {
            long started = System.nanoTime();
            assertThat(client.send(H2Client.get("orders", "/"), null).status()).isEqualTo("200");

            long errorCode = client.goAway().get(3, TimeUnit.SECONDS);
            long elapsedMillis = (System.nanoTime() - started) / 1_000_000;
            client.closed().get(3, TimeUnit.SECONDS);

            assertThat(errorCode).isZero();
            assertThat(elapsedMillis).isGreaterThanOrEqualTo(IDLE_MILLIS - 50);
            assertThat(client.isOpen()).isFalse();
        }
    }

    @Test
    @DisplayName("GIVEN idle 300ms WHEN a pooled HTTP/1.1 upstream connection stays unused THEN the proxy closes it, and the next request opens a new one")
    void idleHttp1UpstreamConnectionIsClosed() throws Exception {
        start(UpstreamServer.http1("orders", r -> UpstreamServer.ok("ok")), "http");
        assertThat(Clients.get(Clients.viaProxy(proxy.outboundPort()), "http://orders/").statusCode()).isEqualTo(200);
        assertThat(upstream.openConnections()).isEqualTo(1);

        awaitNoOpenConnection(upstream);
        assertThat(Clients.get(Clients.viaProxy(proxy.outboundPort()), "http://orders/").statusCode()).isEqualTo(200);

        assertThat(upstream.connections()).isEqualTo(2);
    }

    @Test
    @DisplayName("GIVEN idle 300ms WHEN an HTTP/2 upstream connection has carried no stream for that long THEN the proxy closes it, and the next request opens a new one")
    void idleHttp2UpstreamConnectionIsClosed() throws Exception {
        start(UpstreamServer.http2("orders", r -> UpstreamServer.ok("ok")), "http2");
        assertThat(Clients.get(Clients.viaProxy(proxy.outboundPort()), "http://orders/").statusCode()).isEqualTo(200);
        assertThat(upstream.openConnections()).isEqualTo(1);

        awaitNoOpenConnection(upstream);
        assertThat(Clients.get(Clients.viaProxy(proxy.outboundPort()), "http://orders/").statusCode()).isEqualTo(200);

        assertThat(upstream.connections()).isEqualTo(2);
    }

    @Test
    @DisplayName("GIVEN the local service's idle 300ms and another service's 60s WHEN a peer's connection to the inbound listener stays unused THEN it closes after about 300 ms, and so does the pooled connection to the app")
    void inboundListenerUsesTheLocalServicesIdleTimeout() throws Exception {
        upstream = UpstreamServer.http1("app", r -> UpstreamServer.ok("app"));
        proxy = Mesh.start(Mesh.spec("""
                    timeouts: { idle: 300ms }
                  - name: orders
                    port: 8081
                    timeouts: { idle: 60s }
                """).snapshotWithApp(upstream.port()));

        long started = System.nanoTime();
        String answer = Clients.raw(proxy.inboundPort(), "GET / HTTP/1.1\r\nHost: app\r\n\r\n", 5_000);
        long elapsedMillis = (System.nanoTime() - started) / 1_000_000;

        assertThat(answer).startsWith("HTTP/1.1 200").endsWith("app");
        assertThat(elapsedMillis).isBetween(IDLE_MILLIS - 50, 3_000L);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
        while (upstream.openConnections() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(upstream.openConnections()).as("connections from the proxy to the app").isZero();
    }

    /** Waits up to 3 s (ten idle timeouts) for the upstream to see every connection closed, and not before 250 ms. */
    private static void awaitNoOpenConnection(UpstreamServer server) throws InterruptedException {
        long started = System.nanoTime();
        while (server.openConnections() > 0 && System.nanoTime() - started < TimeUnit.SECONDS.toNanos(3)) {
            Thread.sleep(10);
        }
        long elapsedMillis = (System.nanoTime() - started) / 1_000_000;
        assertThat(server.openConnections()).as("upstream connections open after %d ms", elapsedMillis).isZero();
        assertThat(elapsedMillis).isGreaterThanOrEqualTo(IDLE_MILLIS - 100);
    }
}
