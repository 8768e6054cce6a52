package dev.trellis.proxy.http2;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trellis.proxy.ProxyServer;
import dev.trellis.proxy.fixtures.H2Client;
import dev.trellis.proxy.fixtures.Mesh;
import dev.trellis.proxy.fixtures.UpstreamServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("HTTP/2 and gRPC through the proxy: prior knowledge, h2c upgrade, multiplexed upstreams, trailers")
class Http2AndGrpcTest {

    static UpstreamServer web;
    static UpstreamServer grpcHealthy;
    static UpstreamServer grpcUnavailable;
    static UpstreamServer app;
    static ProxyServer proxy;

    @BeforeAll
    static void start() throws Exception {
        web = UpstreamServer.http1("web", UpstreamServer.echo());
        grpcHealthy = UpstreamServer.http2("grpc-ok", r -> UpstreamServer.respond(200, "\0\0\0\0\5reply",
                Map.of("content-type", "application/grpc"), Map.of("grpc-status", "0", "grpc-message", "fine")));
        grpcUnavailable = UpstreamServer.http2("grpc-down", r -> UpstreamServer.respond(200, "",
                Map.of("content-type", "application/grpc", "grpc-status", "14"), Map.of()));
        app = UpstreamServer.http1("app", UpstreamServer.echo());
        Mesh mesh = Mesh.spec("""
                  - name: web
                    port: 8080
                  - name: greeter
                    protocol: grpc
                    port: 9090
                    retry:
                      attempts: 2
                      on: [connect-failure, reset]
                      grpcStatuses: [unavailable]
                      backoff: { base: 5ms, max: 10ms }
                    outlierDetection: { consecutiveFailures: 1000 }
                  - name: broken
                    protocol: grpc
                    port: 9091
                    retry: { attempts: 0 }
                """).endpoints("web", "v1", web).endpoints("greeter", "v1", grpcUnavailable, grpcHealthy)
                .endpoints("broken", "v1", grpcUnavailable);
        proxy = Mesh.start(mesh.snapshotWithApp(app.port()));
    }

    @AfterAll
    static void stop() {
        proxy.close();
        web.close();
        grpcHealthy.close();
        grpcUnavailable.close();
        app.close();
    }

    @Test
    @DisplayName("GIVEN an HTTP/2 prior-knowledge caller WHEN it calls an HTTP/1.1 service THEN the request is translated both ways")
    void http2ToHttp1() throws Exception {
        try (H2Client client = H2Client.connect(proxy.outboundPort())) {
            H2Client.Response response = client.send(H2Client.get("web", "/hello"), null);

            assertThat(response.status()).isEqualTo("200");
            assertThat(response.body()).isEqualTo("web");
            UpstreamServer.Received received = web.received().stream().filter(r -> r.uri().equals("/hello"))
                    .findFirst().orElseThrow();
            assertThat(received.header("host")).isEqualTo("web");
            assertThat(received.header("x-http2-stream-id")).isNull();
        }
    }

    @Test
    @DisplayName("GIVEN an HTTP/2 caller WHEN it sends 1 MiB (16 times the initial flow-control window) THEN it streams through and echoes back whole")
    void largeBodyUnderFlowControl() throws Exception {
        String body = "z".repeat(1 << 20);
        try (H2Client client = H2Client.connect(proxy.outboundPort())) {
            H2Client.Response response = client.send(
                    new io.netty.handler.codec.http2.DefaultHttp2Headers().method("POST").scheme("http").authority("web")
                            .path("/upload"), body);

            assertThat(response.status()).isEqualTo("200");
            assertThat(response.body()).hasSize(body.length()).isEqualTo(body);
        }
    }

    @Test
    @DisplayName("GIVEN a gRPC call WHEN the service answers with data and trailers THEN the caller gets both, grpc-status included")
    void grpcTrailersPassThrough() throws Exception {
        grpcHealthy.behavior(r -> UpstreamServer.respond(200, "\0\0\0\0\5reply",
                Map.of("content-type", "application/grpc"), Map.of("grpc-status", "0", "grpc-message", "fine")));
        try (H2Client client = H2Client.connect(proxy.outboundPort())) {
            List<H2Client.Response> responses = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                responses.add(client.send(H2Client.grpc("greeter", "/helloworld.Greeter/SayHello"), "\0\0\0\0\3req"));
            }

            for (H2Client.Response response : responses) {
                assertThat(response.status()).isEqualTo("200");
                assertThat(response.body()).isEqualTo("\0\0\0\0\5reply");
                assertThat(response.trailers()).isNotNull();
                assertThat(response.trailers().get("grpc-status").toString()).isEqualTo("0");
                assertThat(response.trailers().get("grpc-message").toString()).isEqualTo("fine");
            }
            assertThat(grpcHealthy.received()).allMatch(r -> "trailers".equals(r.header("te")));
        }
    }

    @Test
    @DisplayName("GIVEN one host answering grpc-status 14 (trailers-only) WHEN the policy retries unavailable THEN the call lands on the healthy host")
    void grpcStatusRetried() throws Exception {
        try (H2Client client = H2Client.connect(proxy.outboundPort())) {
            for (int i = 0; i < 4; i++) {
                H2Client.Response response = client.send(H2Client.grpc("greeter", "/helloworld.Greeter/SayHello"), "x");
                assertThat(response.trailers().get("grpc-status").toString()).isEqualTo("0");
            }
            assertThat(grpcUnavailable.requests()).isPositive();
        }
    }

    @Test
    @DisplayName("GIVEN no retry WHEN the service answers trailers-only grpc-status 14 THEN the caller gets exactly that, as headers that end the stream")
    void grpcTrailersOnlyPassThrough() throws Exception {
        try (H2Client client = H2Client.connect(proxy.outboundPort())) {
            H2Client.Response response = client.send(H2Client.grpc("broken", "/x.Y/Z"), "x");

            assertThat(response.status()).isEqualTo("200");
            assertThat(response.headers().get("grpc-status").toString()).isEqualTo("14");
            assertThat(response.trailers()).isNull();
            assertThat(response.body()).isEmpty();
        }
    }

    @Test
    @DisplayName("GIVEN a gRPC call to no known service WHEN routed THEN the proxy answers as gRPC: grpc-status 12 (unimplemented)")
    void grpcLocalReply() throws Exception {
        try (H2Client client = H2Client.connect(proxy.outboundPort())) {
            H2Client.Response response = client.send(H2Client.grpc("nobody", "/x.Y/Z"), "x");

            assertThat(response.status()).isEqualTo("200");
            assertThat(response.headers().get("grpc-status").toString()).isEqualTo("12");
        }
    }

    @Test
    @DisplayName("GIVEN 40 concurrent gRPC calls on one caller connection WHEN forwarded THEN they are multiplexed over at most one upstream connection per event loop")
    void upstreamMultiplexing() throws Exception {
        int before = grpcHealthy.connections();
        try (H2Client client = H2Client.connect(proxy.outboundPort())) {
            List<CompletableFuture<H2Client.Response>> calls = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                calls.add(client.sendAsync(H2Client.grpc("greeter", "/helloworld.Greeter/SayHello"), "x" + i));
            }
            for (CompletableFuture<H2Client.Response> call : calls) {
                assertThat(call.get().trailers().get("grpc-status").toString()).isEqualTo("0");
            }
        }
        assertThat(grpcHealthy.connections() - before).isLessThanOrEqualTo(2);
    }

    @Test
    @DisplayName("GIVEN an HTTP/1.1 caller asking to upgrade to h2c WHEN it calls the inbound listener THEN it speaks HTTP/2 and reaches the local app")
    void h2cUpgradeOnInbound() throws Exception {
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).build();
        HttpResponse<String> first = client.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + proxy.inboundPort() + "/upgrade")).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.ofString());
        HttpResponse<String> second = client.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + proxy.inboundPort() + "/again")).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(first.statusCode()).isEqualTo(200);
        assertThat(first.body()).isEqualTo("app");
        assertThat(second.version()).isEqualTo(HttpClient.Version.HTTP_2);
        assertThat(second.body()).isEqualTo("app");
    }
}
