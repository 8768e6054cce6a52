package dev.trellis.proxy.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trellis.proxy.ProxyServer;
import dev.trellis.proxy.fixtures.Clients;
import dev.trellis.proxy.fixtures.Mesh;
import dev.trellis.proxy.fixtures.StaticSnapshotSource;
import dev.trellis.proxy.fixtures.UpstreamServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Connection slots under maxConnections: pools of different event loops share them, idle connections give theirs up")
class ConnectionSlotsTest {

    UpstreamServer upstream;
    ProxyServer proxy;

    @AfterEach
    void stop() {
        proxy.close();
        upstream.close();
    }

    private void start(UpstreamServer server, String protocol, int eventLoops) throws Exception {
        upstream = server;
        proxy = ProxyServer.builder(new StaticSnapshotSource(Mesh.spec("""
                  - name: orders
                    protocol: %s
                    port: 8081
                    connectionLimits: { maxConnections: 1, maxPendingRequests: 5 }
                """.formatted(protocol)).endpoints("orders", "v1", upstream).snapshot()))
                .bindAddress("127.0.0.1").outboundPort(0).inboundPort(0).eventLoops(eventLoops)
                .build().start();
    }

    private CompletableFuture<HttpResponse<String>> send(HttpClient client) {
        return client.sendAsync(HttpRequest.newBuilder(URI.create("http://orders/")).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /**
     * Two callers, one after the other, each on its own connection: the listener hands accepted
     * connections to its two event loops in turn, so the second caller's requests run on the other
     * loop, whose pool has no connection while the first loop's pool keeps the only one idle.
     */
    private void secondLoopGetsTheSlot() throws Exception {
        assertThat(send(Clients.viaProxy(proxy.outboundPort())).get().statusCode()).isEqualTo(200);
        assertThat(upstream.openConnections()).isEqualTo(1);

        long started = System.nanoTime();
        HttpResponse<String> other = send(Clients.viaProxy(proxy.outboundPort())).get();
        long elapsedMillis = (System.nanoTime() - started) / 1_000_000;

        assertThat(other.statusCode()).isEqualTo(200);
        assertThat(elapsedMillis).isLessThan(2_000);
        assertThat(upstream.connections()).isEqualTo(2);
        Thread.sleep(100);
        assertThat(upstream.openConnections()).isEqualTo(1);
    }

    @Test
    @DisplayName("GIVEN maxConnections 1 held by an idle HTTP/1.1 connection of one event loop WHEN a request comes on the other loop THEN the idle one closes and the request is served at once")
    void idleHttp1ConnectionGivesUpItsSlot() throws Exception {
        start(UpstreamServer.http1("orders", r -> UpstreamServer.ok("ok")), "http", 2);

        secondLoopGetsTheSlot();
    }

    @Test
    @DisplayName("GIVEN maxConnections 1 held by an HTTP/2 connection without streams on one event loop WHEN a request comes on the other loop THEN it closes and the request is served at once")
    void unusedHttp2ConnectionGivesUpItsSlot() throws Exception {
        start(UpstreamServer.http2("orders", r -> UpstreamServer.ok("ok")), "http2", 2);

        secondLoopGetsTheSlot();
    }

    @Test
    @DisplayName("GIVEN one event loop, maxConnections 1 and a request that waited for the connection WHEN both are done THEN the connection stays pooled and serves the next request")
    void servedWaiterLeavesTheConnectionPooled() throws Exception {
        start(UpstreamServer.http1("orders", r -> UpstreamServer.delay(200, UpstreamServer.ok("ok"))), "http", 1);
        HttpClient client = Clients.viaProxy(proxy.outboundPort());

        CompletableFuture<HttpResponse<String>> first = send(client);
        CompletableFuture<HttpResponse<String>> second = send(client);
        assertThat(first.get().statusCode()).isEqualTo(200);
        assertThat(second.get().statusCode()).isEqualTo(200);
        Thread.sleep(300);

        assertThat(upstream.openConnections()).isEqualTo(1);
        assertThat(send(client).get().statusCode()).isEqualTo(200);
        assertThat(upstream.connections()).isEqualTo(1);
    }
}
