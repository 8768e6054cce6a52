package dev.trellis.proxy.lifecycle;

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
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The Drainer driving the real data plane: keep-alive callers, one request in flight. */
@Timeout(30)
class ProxyServerDrainTest {

    @Test
    void givenAnIdleAndABusyKeepAliveConnection_whenDrained_thenBothEndWithoutWaitingForTheTimeout() throws Exception {
        try (UpstreamServer orders = UpstreamServer.http1("orders-v1", received ->
                received.uri().contains("/slow") ? UpstreamServer.delay(800, UpstreamServer.ok("slow answer"))
                        : UpstreamServer.ok("fast answer"))) {
            ProxyServer proxy = Mesh.start(Mesh.spec("  - name: orders\n    port: 8081\n")
                    .endpoints("orders", "v1", orders).snapshot());
            Drainer drainer = Drainer.builder()
                    .onDrainStart(proxy::startDrain)
                    .serverChannels(proxy::serverChannels)
                    .activeConnections(proxy::openConnections)
                    .drainTimeout(Duration.ofSeconds(10))
                    .thenClose(proxy)
                    .build();
            HttpClient idleCaller = Clients.viaProxy(proxy.outboundPort());
            HttpClient busyCaller = Clients.viaProxy(proxy.outboundPort());
            assertThat(Clients.get(idleCaller, "http://orders/fast").body()).isEqualTo("fast answer");
            CompletableFuture<HttpResponse<String>> slow = busyCaller.sendAsync(
                    HttpRequest.newBuilder(URI.create("http://orders/slow")).timeout(Duration.ofSeconds(20)).build(),
                    HttpResponse.BodyHandlers.ofString());
            while (orders.requests() < 2) {
                Thread.sleep(5);
            }

            DrainResult result = drainer.drain().get(20, TimeUnit.SECONDS);

            assertThat(slow.get().body()).isEqualTo("slow answer");
            assertThat(result.clean()).as("drained before the timeout: " + result).isTrue();
            assertThat(result.took()).isLessThan(Duration.ofSeconds(5));
        }
    }
}
