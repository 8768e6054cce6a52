package dev.trellis.proxy.retry;

import static dev.trellis.proxy.fixtures.UpstreamServer.hang;
import static dev.trellis.proxy.fixtures.UpstreamServer.ok;
import static dev.trellis.proxy.fixtures.UpstreamServer.reset;
import static dev.trellis.proxy.fixtures.UpstreamServer.status;
import static org.assertj.core.api.Assertions.assertThat;

import dev.trellis.proxy.ProxyServer;
import dev.trellis.proxy.fixtures.Clients;
import dev.trellis.proxy.fixtures.Mesh;
import dev.trellis.proxy.fixtures.UpstreamServer;
import dev.trellis.proxy.http.HttpLimits;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Retries over real sockets: failing, resetting, hanging and refusing upstreams")
class RetryForwardingTest {

    private static final String RETRYING = """
              - name: orders
                port: 8081
                timeouts:
                  request: 3s
                retry:
                  attempts: 2
                  on: [gateway-error, connect-failure, reset, per-try-timeout]
                  perTryTimeout: 300ms
                  backoff:
                    base: 5ms
                    max: 20ms
                outlierDetection:
                  consecutiveFailures: 1000
            """;

    UpstreamServer bad;
    UpstreamServer good;
    ProxyServer proxy;
    HttpClient client;

    @BeforeEach
    void upstreams() throws Exception {
        good = UpstreamServer.http1("good", r -> ok("good"));
        bad = UpstreamServer.http1("bad", r -> status(503));
    }

    @AfterEach
    void stop() {
        if (proxy != null) {
            proxy.close();
        }
        good.close();
        bad.close();
    }

    private void start(String spec, UpstreamServer... hosts) throws Exception {
        proxy = Mesh.start(Mesh.spec(spec).endpoints("orders", "v1", hosts).snapshot());
        client = Clients.viaProxy(proxy.outboundPort());
    }

    @Test
    @DisplayName("GIVEN one host answering 503 WHEN requests arrive THEN each is retried on the healthy host and the caller sees 200")
    void retryOnGatewayErrorLandsOnHealthyHost() throws Exception {
        start(RETRYING, bad, good);

        for (int i = 0; i < 10; i++) {
            HttpResponse<String> response = Clients.get(client, "http://orders/r" + i);
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.body()).isEqualTo("good");
        }
        assertThat(good.requests()).isEqualTo(10);
        assertThat(bad.requests()).isBetween(1, 10);
    }

    @Test
    @DisplayName("GIVEN one host resetting connections WHEN requests arrive THEN they are retried and succeed")
    void retryOnReset() throws Exception {
        bad.behavior(r -> reset());
        start(RETRYING, bad, good);

        for (int i = 0; i < 6; i++) {
            assertThat(Clients.get(client, "http://orders/x").statusCode()).isEqualTo(200);
        }
        assertThat(bad.requests()).isPositive();
    }

    @Test
    @DisplayName("GIVEN one endpoint where nothing listens WHEN requests arrive THEN the connect failure is retried elsewhere")
    void retryOnConnectFailure() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        proxy = Mesh.start(Mesh.spec(RETRYING).endpoint("orders", "v1", closedPort).endpoints("orders", "v1", good)
                .snapshot());
        client = Clients.viaProxy(proxy.outboundPort());

        for (int i = 0; i < 6; i++) {
            assertThat(Clients.get(client, "http://orders/x").statusCode()).isEqualTo(200);
        }
    }

    @Test
    @DisplayName("GIVEN one host that hangs WHEN its per-try timeout passes THEN the try is abandoned and retried on the other host")
    void perTryTimeoutRetries() throws Exception {
        bad.behavior(r -> hang());
        start(RETRYING, bad, good);

        Clients.get(client, "http://orders/warm-up");
        long slowest = 0;
        for (int i = 0; i < 4; i++) {
            long started = System.nanoTime();
            assertThat(Clients.get(client, "http://orders/slow").statusCode()).isEqualTo(200);
            slowest = Math.max(slowest, System.nanoTime() - started);
        }
        assertThat(bad.requests()).isGreaterThanOrEqualTo(2);
        // A try on the hanging host is abandoned after ~300 ms, far from the 3 s request timeout.
        assertThat(slowest / 1_000_000).isBetween(250L, 1_500L);
    }

    @Test
    @DisplayName("GIVEN every host hangs WHEN the request timeout passes THEN the caller gets 504 upstream-timeout")
    void requestTimeout() throws Exception {
        bad.behavior(r -> hang());
        good.behavior(r -> hang());
        start(RETRYING.replace("request: 3s", "request: 500ms").replace("perTryTimeout: 300ms", "perTryTimeout: 400ms"),
                bad, good);

        long started = System.nanoTime();
        HttpResponse<String> response = Clients.get(client, "http://orders/hang");

        assertThat(response.statusCode()).isEqualTo(504);
        assertThat(response.headers().firstValue("x-trellis-error")).hasValue("upstream-timeout");
        assertThat((System.nanoTime() - started) / 1_000_000).isBetween(450L, 2_000L);
    }

    @Test
    @DisplayName("GIVEN retries off WHEN the upstream answers 503 THEN the caller gets that 503 as it is")
    void noRetryPassesStatusThrough() throws Exception {
        start("""
                  - name: orders
                    port: 8081
                    retry:
                      attempts: 0
                """, bad);

        HttpResponse<String> response = Clients.get(client, "http://orders/x");

        assertThat(response.statusCode()).isEqualTo(503);
        assertThat(response.body()).isEqualTo("status 503");
        assertThat(bad.requests()).isEqualTo(1);
    }

    @Test
    @DisplayName("GIVEN a body larger than the retry buffer WHEN the first try fails THEN it is not retried")
    void bodyPastBufferIsNotReplayed() throws Exception {
        proxy = Mesh.start(Mesh.spec(RETRYING).endpoints("orders", "v1", bad).snapshot(),
                HttpLimits.DEFAULT.withRetryBufferBytes(1024));
        client = Clients.viaProxy(proxy.outboundPort());

        HttpResponse<String> response = client.send(HttpRequest.newBuilder(URI.create("http://orders/upload"))
                        .timeout(Duration.ofSeconds(5)).POST(HttpRequest.BodyPublishers.ofString("x".repeat(4096))).build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).isEqualTo(503);
        assertThat(bad.requests()).isEqualTo(1);
    }

    @Test
    @DisplayName("GIVEN a small body WHEN the first try fails THEN the retry replays the same body")
    void smallBodyIsReplayed() throws Exception {
        good.behavior(UpstreamServer.echo());
        start(RETRYING, bad, good);

        for (int i = 0; i < 4; i++) {
            HttpResponse<String> response = client.send(HttpRequest.newBuilder(URI.create("http://orders/upload"))
                            .timeout(Duration.ofSeconds(5)).POST(HttpRequest.BodyPublishers.ofString("payload-" + i)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.body()).isEqualTo("payload-" + i);
        }
        assertThat(bad.received()).allMatch(r -> r.body().startsWith("payload-"));
    }
}
