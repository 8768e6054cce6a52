package dev.trellis.proxy.fault;

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
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Fault injection and mirroring over real sockets")
class FaultAndMirrorTest {

    static UpstreamServer primary;
    static UpstreamServer shadow;
    static ProxyServer proxy;
    static HttpClient client;

    @BeforeAll
    static void start() throws Exception {
        primary = UpstreamServer.http1("primary", UpstreamServer.echo());
        // The mirror is slow: the caller must not wait for it.
        shadow = UpstreamServer.http1("shadow", r -> UpstreamServer.delay(1_000, UpstreamServer.ok("shadow")));
        proxy = Mesh.start(Mesh.spec("""
                  - name: orders
                    port: 8081
                    versions: [v1, v2]
                    routes:
                      - name: aborted
                        priority: 1
                        match: { pathPrefix: /abort }
                        targets: [{ version: v1, weight: 1 }]
                        fault: { abort: { status: 418, percent: 100 } }
                      - name: delayed
                        priority: 2
                        match: { pathPrefix: /delay }
                        targets: [{ version: v1, weight: 1 }]
                        fault: { delay: { fixed: 300ms, percent: 100 } }
                      - name: mirrored
                        priority: 3
                        match: { pathPrefix: /mirror }
                        targets: [{ version: v1, weight: 1 }]
                        mirror: { version: v2, percent: 100 }
                """).endpoints("orders", "v1", primary).endpoints("orders", "v2", shadow).snapshot());
        client = Clients.viaProxy(proxy.outboundPort());
    }

    @AfterAll
    static void stop() {
        proxy.close();
        primary.close();
        shadow.close();
    }

    @Test
    @DisplayName("GIVEN an abort fault at 100% WHEN requested THEN the caller gets its status and the upstream nothing")
    void abort() throws Exception {
        int before = primary.requests();

        HttpResponse<String> response = Clients.get(client, "http://orders/abort");

        assertThat(response.statusCode()).isEqualTo(418);
        assertThat(response.headers().firstValue("x-trellis-fault")).hasValue("abort");
        assertThat(primary.requests()).isEqualTo(before);
    }

    @Test
    @DisplayName("GIVEN a 300 ms delay fault WHEN requested THEN the response comes no sooner than 300 ms, and comes")
    void delay() throws Exception {
        Clients.get(client, "http://orders/warm-up");
        long started = System.nanoTime();

        HttpResponse<String> response = Clients.get(client, "http://orders/delay");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat((System.nanoTime() - started) / 1_000_000).isGreaterThanOrEqualTo(300);
    }

    @Test
    @DisplayName("GIVEN a mirror to a slow version WHEN a POST is routed THEN the caller is answered at once and the mirror gets a copy with a -shadow Host")
    void mirror() throws Exception {
        Clients.get(client, "http://orders/warm-up");
        long started = System.nanoTime();

        HttpResponse<String> response = client.send(HttpRequest.newBuilder(URI.create("http://orders:8081/mirror"))
                .timeout(Duration.ofSeconds(5)).POST(HttpRequest.BodyPublishers.ofString("copy me")).build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("copy me");
        assertThat((System.nanoTime() - started) / 1_000_000).isLessThan(900);
        long deadline = System.nanoTime() + 3_000_000_000L;
        while (shadow.requests() == 0 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        UpstreamServer.Received copy = shadow.received().get(0);
        assertThat(copy.uri()).isEqualTo("/mirror");
        assertThat(copy.body()).isEqualTo("copy me");
        assertThat(copy.header("host")).isEqualTo("orders-shadow:8081");
    }
}
