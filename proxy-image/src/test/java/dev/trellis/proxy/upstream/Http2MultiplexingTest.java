package dev.trellis.proxy.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trellis.proxy.ProxyServer;
import dev.trellis.proxy.fixtures.H2Client;
import dev.trellis.proxy.fixtures.Mesh;
import dev.trellis.proxy.fixtures.UpstreamServer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("HTTP/2 upstreams: streams up to the peer's SETTINGS_MAX_CONCURRENT_STREAMS per connection, then more connections")
class Http2MultiplexingTest {

    /** How long the upstream holds each request: long enough that all of them overlap. */
    private static final long HOLD_MILLIS = 1_000;
    /** A shorter hold, where only a lower bound on time is checked (which load cannot break). */
    private static final long SHORT_HOLD_MILLIS = 300;

    UpstreamServer upstream;
    ProxyServer proxy;
    H2Client client;

    @AfterEach
    void stop() {
        if (client != null) {
            client.close();
        }
        proxy.close();
        upstream.close();
    }

    private void start(String connectionLimits) throws Exception {
        start(connectionLimits, HOLD_MILLIS);
    }

    private void start(String connectionLimits, long holdMillis) throws Exception {
        upstream = UpstreamServer.http2("grpc", 2, r -> UpstreamServer.delay(holdMillis, UpstreamServer.ok("ok")));
        proxy = Mesh.start(Mesh.spec("""
                  - name: orders
                    protocol: http2
                    port: 8081
                    retry: { attempts: 0 }
                """ + connectionLimits).endpoints("orders", "v1", upstream).snapshot());
        // One caller connection: its streams all run on one event loop, so one pool serves them.
        client = H2Client.connect(proxy.outboundPort());
    }

    private List<H2Client.Response> sendTogether(int count) throws Exception {
        List<CompletableFuture<H2Client.Response>> sent = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            sent.add(client.sendAsync(H2Client.get("orders", "/r" + i), null));
        }
        List<H2Client.Response> responses = new ArrayList<>();
        for (CompletableFuture<H2Client.Response> response : sent) {
            responses.add(response.get(10, TimeUnit.SECONDS));
        }
        return responses;
    }

    @Test
    @DisplayName("GIVEN an upstream allowing 2 concurrent streams WHEN 5 requests overlap THEN 3 connections carry them at once and all get 200")
    void opensMoreConnectionsWhenStreamsRunOut() throws Exception {
        start("");

        long started = System.nanoTime();
        List<H2Client.Response> responses = sendTogether(5);
        long elapsedMillis = (System.nanoTime() - started) / 1_000_000;

        assertThat(responses).extracting(H2Client.Response::status).containsOnly("200");
        assertThat(upstream.requests()).isEqualTo(5);
        assertThat(upstream.connections()).isEqualTo(3);
        // In parallel, not one batch of 2 after another (which would take 3 holds).
        assertThat(elapsedMillis).isLessThan(2 * HOLD_MILLIS);
    }

    @Test
    @DisplayName("GIVEN 2 streams per connection and maxConnections 2 WHEN 5 requests overlap THEN the fifth waits for a free stream and all get 200 over 2 connections")
    void connectionLimitMakesRequestsWaitForAStream() throws Exception {
        start("""
                    connectionLimits: { maxConnections: 2, maxPendingRequests: 10 }
                """, SHORT_HOLD_MILLIS);

        long started = System.nanoTime();
        List<H2Client.Response> responses = sendTogether(5);
        long elapsedMillis = (System.nanoTime() - started) / 1_000_000;

        assertThat(responses).extracting(H2Client.Response::status).containsOnly("200");
        assertThat(upstream.connections()).isEqualTo(2);
        assertThat(elapsedMillis).isGreaterThanOrEqualTo(2 * SHORT_HOLD_MILLIS);
    }

    @Test
    @DisplayName("GIVEN a request that waited for a stream under maxConnections 2 WHEN every request is done THEN both connections stay pooled (no slot is freed for a waiter that was served)")
    void servedWaiterLeavesConnectionsPooled() throws Exception {
        start("""
                    connectionLimits: { maxConnections: 2, maxPendingRequests: 10 }
                """, SHORT_HOLD_MILLIS);

        assertThat(sendTogether(5)).extracting(H2Client.Response::status).containsOnly("200");
        Thread.sleep(300);

        assertThat(upstream.openConnections()).isEqualTo(2);
        assertThat(client.send(H2Client.get("orders", "/again"), null).status()).isEqualTo("200");
        assertThat(upstream.connections()).isEqualTo(2);
    }

    @Test
    @DisplayName("GIVEN 2 streams per connection, maxConnections 1 and maxPendingRequests 1 WHEN 4 requests overlap THEN the fourth gets a fast 503 max-pending-requests, the others 200")
    void pendingLimitRefusesFast() throws Exception {
        start("""
                    connectionLimits: { maxConnections: 1, maxPendingRequests: 1 }
                """);
        // The connection is open and knows its stream limit before the overlapping requests come.
        assertThat(client.send(H2Client.get("orders", "/warm-up"), null).status()).isEqualTo("200");
        List<CompletableFuture<H2Client.Response>> first = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            first.add(client.sendAsync(H2Client.get("orders", "/r" + i), null));
        }
        Thread.sleep(HOLD_MILLIS / 4);

        long started = System.nanoTime();
        H2Client.Response refused = client.send(H2Client.get("orders", "/r3"), null);
        long elapsedMillis = (System.nanoTime() - started) / 1_000_000;

        assertThat(refused.status()).isEqualTo("503");
        assertThat(refused.headers().get("x-trellis-overloaded")).hasToString("max-pending-requests");
        assertThat(elapsedMillis).isLessThan(HOLD_MILLIS / 2);
        for (CompletableFuture<H2Client.Response> response : first) {
            assertThat(response.get(10, TimeUnit.SECONDS).status()).isEqualTo("200");
        }
        assertThat(upstream.connections()).isEqualTo(1);
    }

    @Test
    @DisplayName("GIVEN an HTTP/2 upstream that sends GOAWAY after a response WHEN the next request comes THEN it goes over a new connection and gets 200")
    void goAwayMovesNewStreamsToANewConnection() throws Exception {
        upstream = UpstreamServer.http2("grpc", r -> r.uri().equals("/last")
                ? UpstreamServer.goAway(UpstreamServer.ok("bye")) : UpstreamServer.ok("ok"));
        proxy = Mesh.start(Mesh.spec("""
                  - name: orders
                    protocol: http2
                    port: 8081
                    retry: { attempts: 0 }
                """).endpoints("orders", "v1", upstream).snapshot());
        client = H2Client.connect(proxy.outboundPort());
        assertThat(client.send(H2Client.get("orders", "/last"), null).body()).isEqualTo("bye");
        Thread.sleep(100);

        H2Client.Response next = client.send(H2Client.get("orders", "/next"), null);

        assertThat(next.status()).isEqualTo("200");
        assertThat(next.body()).isEqualTo("ok");
        assertThat(upstream.connections()).isEqualTo(2);
    }
}
