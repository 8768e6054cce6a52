package dev.trellis.proxy.outbound;

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
import java.util.Arrays;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Outbound listener: HTTP/1.1 forwarding")
class OutboundForwardingTest {

    static UpstreamServer orders;
    static ProxyServer proxy;
    static HttpClient client;

    @BeforeAll
    static void start() throws Exception {
        orders = UpstreamServer.http1("orders-1", UpstreamServer.echo());
        proxy = Mesh.start(Mesh.spec("""
                  - name: orders
                    port: 8081
                """).endpoints("orders", "v1", orders).snapshot());
        client = Clients.viaProxy(proxy.outboundPort());
    }

    @AfterAll
    static void stop() {
        proxy.close();
        orders.close();
    }

    @Test
    @DisplayName("GIVEN an app using the proxy as HTTP proxy WHEN it GETs an absolute URI THEN the upstream gets origin form and the app gets its answer")
    void absoluteForm() throws Exception {
        HttpResponse<String> response = Clients.get(client, "http://orders:8081/orders/42?x=1");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("orders-1");
        UpstreamServer.Received received = orders.received().get(orders.requests() - 1);
        assertThat(received.uri()).isEqualTo("/orders/42?x=1");
        assertThat(received.header("host")).isEqualTo("orders:8081");
    }

    @Test
    @DisplayName("GIVEN a plain request WHEN its Host names a service (any port, any case) THEN it is routed by Host")
    void hostRouting() throws Exception {
        String response = Clients.raw(proxy.outboundPort(),
                "GET /by-host HTTP/1.1\r\nHost: ORDERS.test.local:9999\r\nConnection: close\r\n\r\n", 3000);

        assertThat(response).startsWith("HTTP/1.1 200 OK\r\n").endsWith("orders-1");
        assertThat(orders.received().stream().anyMatch(r -> r.uri().equals("/by-host"))).isTrue();
    }

    @Test
    @DisplayName("GIVEN a Host no service claims WHEN requested THEN 404 with x-trellis-error: no-route")
    void unknownHost() throws Exception {
        HttpResponse<String> response = Clients.get(client, "http://nobody:8081/");

        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(response.headers().firstValue("x-trellis-error")).hasValue("no-route");
    }

    @Test
    @DisplayName("GIVEN keep-alive WHEN ten requests go one after another THEN they share one upstream connection")
    void keepAlive() throws Exception {
        try (UpstreamServer counting = UpstreamServer.http1("payments-1", UpstreamServer.echo());
             ProxyServer own = Mesh.start(Mesh.spec("""
                       - name: payments
                         port: 8082
                     """).endpoints("payments", "v1", counting).snapshot())) {
            String requests = "GET /a HTTP/1.1\r\nHost: payments\r\n\r\n".repeat(9)
                    + "GET /a HTTP/1.1\r\nHost: payments\r\nConnection: close\r\n\r\n";
            String responses = Clients.raw(own.outboundPort(), requests, 3000);

            assertThat(responses.split("HTTP/1.1 200 OK", -1)).hasSize(11);
            assertThat(counting.requests()).isEqualTo(10);
            assertThat(counting.connections()).isEqualTo(1);
        }
    }

    @Test
    @DisplayName("GIVEN a 2 MiB request body WHEN it is POSTed THEN it streams through intact, both ways")
    void largeBodyStreams() throws Exception {
        byte[] body = new byte[2 << 20];
        Arrays.fill(body, (byte) 'x');
        body[body.length - 1] = 'y';
        HttpResponse<String> response = client.send(HttpRequest.newBuilder(URI.create("http://orders:8081/upload"))
                        .timeout(Duration.ofSeconds(10)).POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).hasSize(body.length).endsWith("xy");
    }

    @Test
    @DisplayName("GIVEN a chunked request body WHEN forwarded THEN the upstream receives it whole")
    void chunkedBody() throws Exception {
        String response = Clients.raw(proxy.outboundPort(), "POST /chunked HTTP/1.1\r\nHost: orders\r\n"
                + "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n", 3000);

        assertThat(response).startsWith("HTTP/1.1 200 OK").endsWith("hello world");
    }

    @Test
    @DisplayName("GIVEN hop-by-hop headers WHEN forwarded THEN the upstream does not see them")
    void hopByHop() throws Exception {
        Clients.raw(proxy.outboundPort(), "GET /hop HTTP/1.1\r\nHost: orders\r\nConnection: close, x-secret\r\n"
                + "x-secret: 1\r\nKeep-Alive: timeout=5\r\nx-kept: yes\r\n\r\n", 3000);

        UpstreamServer.Received received = orders.received().stream().filter(r -> r.uri().equals("/hop")).findFirst()
                .orElseThrow();
        assertThat(received.header("x-secret")).isNull();
        assertThat(received.header("keep-alive")).isNull();
        assertThat(received.header("x-kept")).isEqualTo("yes");
    }
}
