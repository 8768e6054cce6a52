package dev.trellis.proxy.circuitbreaker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trellis.proxy.ProxyServer;
import dev.trellis.proxy.fixtures.Clients;
import dev.trellis.proxy.fixtures.Mesh;
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

@DisplayName("Circuit breaking: thresholds turn overload into a fast 503 that says why")
class CircuitBreakingTest {

    UpstreamServer slow;
    ProxyServer proxy;

    @AfterEach
    void stop() {
        proxy.close();
        slow.close();
    }

    private HttpClient start(String limits) throws Exception {
        slow = UpstreamServer.http1("slow", r -> UpstreamServer.delay(1_000, UpstreamServer.ok("late")));
        proxy = Mesh.start(Mesh.spec("""
                  - name: orders
                    port: 8081
                    connectionLimits:
                """ + limits).endpoints("orders", "v1", slow).snapshot());
        return Clients.viaProxy(proxy.outboundPort());
    }

    private static CompletableFuture<HttpResponse<String>> send(HttpClient client) {
        return client.sendAsync(HttpRequest.newBuilder(URI.create("http://orders/")).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    @DisplayName("GIVEN maxRequests 1 and one request in flight WHEN a second arrives THEN it gets 503 x-trellis-overloaded: max-requests at once")
    void maxRequests() throws Exception {
        HttpClient client = start("""
                          maxRequests: 1
                """);
        CompletableFuture<HttpResponse<String>> first = send(client);
        Thread.sleep(300);

        long started = System.nanoTime();
        HttpResponse<String> second = send(client).get();

        assertThat(second.statusCode()).isEqualTo(503);
        assertThat(second.headers().firstValue("x-trellis-overloaded")).hasValue("max-requests");
        assertThat((System.nanoTime() - started) / 1_000_000).isLessThan(500);
        assertThat(first.get().statusCode()).isEqualTo(200);
        assertThat(slow.requests()).isEqualTo(1);
    }

    @Test
    @DisplayName("GIVEN one connection allowed and no pending requests WHEN a second request needs a connection THEN 503 max-pending-requests")
    void maxConnectionsWithoutPending() throws Exception {
        HttpClient client = start("""
                          maxConnections: 1
                          maxPendingRequests: 0
                """);
        CompletableFuture<HttpResponse<String>> first = send(client);
        Thread.sleep(300);

        HttpResponse<String> second = send(client).get();

        assertThat(second.statusCode()).isEqualTo(503);
        assertThat(second.headers().firstValue("x-trellis-overloaded")).hasValue("max-pending-requests");
        assertThat(first.get().statusCode()).isEqualTo(200);
    }

    @Test
    @DisplayName("GIVEN one connection and room to wait WHEN two requests arrive together THEN the second waits for the connection slot and both succeed")
    void pendingRequestsWaitForTheConnection() throws Exception {
        HttpClient client = start("""
                          maxConnections: 1
                          maxPendingRequests: 5
                """);
        slow.behavior(r -> UpstreamServer.delay(200, UpstreamServer.ok("ok")));

        long started = System.nanoTime();
        CompletableFuture<HttpResponse<String>> first = send(client);
        CompletableFuture<HttpResponse<String>> second = send(client);

        assertThat(first.get().statusCode()).isEqualTo(200);
        assertThat(second.get().statusCode()).isEqualTo(200);
        // One after the other: the second waited for the first's connection slot.
        assertThat((System.nanoTime() - started) / 1_000_000).isGreaterThanOrEqualTo(400);
    }
}
