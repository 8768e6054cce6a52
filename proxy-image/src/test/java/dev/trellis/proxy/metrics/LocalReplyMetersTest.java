package dev.trellis.proxy.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trellis.proxy.ProxyServer;
import dev.trellis.proxy.fixtures.Clients;
import dev.trellis.proxy.fixtures.Mesh;
import dev.trellis.proxy.fixtures.StaticSnapshotSource;
import dev.trellis.proxy.fixtures.UpstreamServer;
import java.net.ServerSocket;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Local replies count in the route's request meters with their status class, like upstream responses")
class LocalReplyMetersTest {

    static UpstreamServer slow;
    static UpstreamServer resetting;
    static ProxyServer proxy;
    static HttpClient client;
    static final ProxyMetrics metrics = ProxyMetrics.builder().jvmMeters(false).build();

    @BeforeAll
    static void start() throws Exception {
        slow = UpstreamServer.http1("slow", r -> UpstreamServer.delay(800, UpstreamServer.ok("late")));
        resetting = UpstreamServer.http1("resetting", r -> UpstreamServer.reset());
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        // The local app lets only "frontend" call it: a plaintext caller proves no identity and is denied.
        proxy = ProxyServer.builder(new StaticSnapshotSource(Mesh.spec("""
                    allowedCallers: [{ service: frontend }]
                  - name: frontend
                    port: 8080
                  - name: aborted
                    port: 8081
                    routes:
                      - name: all
                        match: { pathPrefix: / }
                        targets: [{ version: v1, weight: 1 }]
                        fault: { abort: { status: 418, percent: 100 } }
                  - name: busy
                    port: 8082
                    connectionLimits: { maxRequests: 1 }
                  - name: hanging
                    port: 8083
                    timeouts: { request: 200ms }
                  - name: resetting
                    port: 8084
                    retry: { attempts: 0 }
                """).endpoints("busy", "v1", slow).endpoints("hanging", "v1", slow)
                .endpoints("resetting", "v1", resetting).endpoint("aborted", "v1", closedPort)
                .snapshotWithApp(closedPort)))
                .bindAddress("127.0.0.1").outboundPort(0).inboundPort(0).eventLoops(1).metrics(metrics)
                .build().start();
        client = Clients.viaProxy(proxy.outboundPort());
    }

    @AfterAll
    static void stop() {
        proxy.close();
        metrics.close();
        slow.close();
        resetting.close();
    }

    private static String requests(String service, String statusClass) {
        return "trellis_proxy_requests_total\\{[^}]*service=\"" + service + "\"[^}]*status=\"" + statusClass
                + "\"[^}]*} 1\\.0";
    }

    @Test
    @DisplayName("GIVEN an abort fault of 418 WHEN a request is aborted THEN the route counts one 4xx")
    void faultAbort() throws Exception {
        assertThat(Clients.get(client, "http://aborted/").statusCode()).isEqualTo(418);

        assertThat(metrics.scrape()).containsPattern(requests("aborted", "4xx"));
    }

    @Test
    @DisplayName("GIVEN maxRequests 1 and a request in flight WHEN a second is refused with 503 THEN the route counts one 5xx besides the 2xx")
    void overloaded() throws Exception {
        int before = slow.requests();
        CompletableFuture<HttpResponse<String>> first = client.sendAsync(
                java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://busy/")).build(),
                HttpResponse.BodyHandlers.ofString());
        // In flight once the upstream has it (it answers 800 ms later).
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
        while (slow.requests() == before && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }

        assertThat(Clients.get(client, "http://busy/").statusCode()).isEqualTo(503);
        assertThat(first.get(5, TimeUnit.SECONDS).statusCode()).isEqualTo(200);

        assertThat(metrics.scrape()).containsPattern(requests("busy", "5xx")).containsPattern(requests("busy", "2xx"));
    }

    @Test
    @DisplayName("GIVEN a 200 ms request timeout and an upstream taking 800 ms WHEN the proxy answers 504 THEN the route counts one 5xx")
    void timeout() throws Exception {
        assertThat(Clients.get(client, "http://hanging/").statusCode()).isEqualTo(504);

        assertThat(metrics.scrape()).containsPattern(requests("hanging", "5xx"));
    }

    @Test
    @DisplayName("GIVEN an upstream that resets WHEN the proxy answers 502 THEN the route counts one 5xx")
    void reset() throws Exception {
        assertThat(Clients.get(client, "http://resetting/").statusCode()).isEqualTo(502);

        assertThat(metrics.scrape()).containsPattern(requests("resetting", "5xx"));
    }

    @Test
    @DisplayName("GIVEN an inbound listener that only lets frontend in WHEN an unidentified caller is denied 403 THEN the inbound route counts one 4xx")
    void denied() throws Exception {
        HttpResponse<String> response = Clients.get(Clients.direct(), "http://127.0.0.1:" + proxy.inboundPort() + "/");

        assertThat(response.statusCode()).isEqualTo(403);
        assertThat(metrics.scrape()).containsPattern(
                "trellis_proxy_requests_total\\{[^}]*route=\"inbound\"[^}]*status=\"4xx\"[^}]*} 1\\.0");
    }
}
