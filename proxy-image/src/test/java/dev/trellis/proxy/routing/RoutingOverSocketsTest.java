package dev.trellis.proxy.routing;

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
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Routing over real sockets: matches, priority, weighted split, host rewrite")
class RoutingOverSocketsTest {

    static UpstreamServer v1;
    static UpstreamServer v2;
    static UpstreamServer v3;
    static ProxyServer proxy;
    static HttpClient client;

    @BeforeAll
    static void start() throws Exception {
        v1 = UpstreamServer.http1("v1", UpstreamServer.echo());
        v2 = UpstreamServer.http1("v2", UpstreamServer.echo());
        v3 = UpstreamServer.http1("v3", UpstreamServer.echo());
        proxy = Mesh.start(Mesh.spec("""
                  - name: orders
                    port: 8081
                    versions: [v1, v2, v3]
                    routes:
                      - name: exact
                        priority: 1
                        match: { path: /exact }
                        targets: [{ version: v3, weight: 1 }]
                      - name: regex
                        priority: 2
                        match: { pathRegex: "/items/[0-9]+" }
                        targets: [{ version: v3, weight: 1 }]
                      - name: beta
                        priority: 3
                        match:
                          pathPrefix: /
                          headers: [{ name: X-Beta, exact: "true" }]
                        targets: [{ version: v2, weight: 1 }]
                      - name: deletes
                        priority: 4
                        match: { pathPrefix: /, methods: [DELETE] }
                        targets: [{ version: v3, weight: 1 }]
                      - name: query
                        priority: 5
                        match:
                          pathPrefix: /
                          query: [{ name: variant, exact: b }]
                        targets: [{ version: v2, weight: 1 }]
                      - name: rewritten
                        priority: 6
                        match: { pathPrefix: /legacy }
                        targets: [{ version: v3, weight: 1 }]
                        hostRewrite: legacy.internal
                      - name: canary
                        priority: 100
                        match: { pathPrefix: / }
                        targets: [{ version: v1, weight: 90 }, { version: v2, weight: 10 }]
                """).endpoints("orders", "v1", v1).endpoints("orders", "v2", v2).endpoints("orders", "v3", v3)
                .snapshot());
        client = Clients.viaProxy(proxy.outboundPort());
    }

    @AfterAll
    static void stop() {
        proxy.close();
        v1.close();
        v2.close();
        v3.close();
    }

    private static String upstreamOf(HttpRequest.Builder request) throws Exception {
        HttpResponse<String> response = client.send(request.timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        return response.headers().firstValue("x-upstream").orElseThrow();
    }

    private static HttpRequest.Builder get(String path) {
        return HttpRequest.newBuilder(URI.create("http://orders" + path));
    }

    @Test
    @DisplayName("GIVEN an exact path route WHEN the path is exactly it THEN it wins; a longer path does not match")
    void exactPath() throws Exception {
        assertThat(upstreamOf(get("/exact"))).isEqualTo("v3");
        assertThat(upstreamOf(get("/exact/more").header("x-beta", "true"))).isEqualTo("v2");
    }

    @Test
    @DisplayName("GIVEN a regex route WHEN the whole path matches THEN it wins; a partial match does not")
    void regexPath() throws Exception {
        assertThat(upstreamOf(get("/items/42"))).isEqualTo("v3");
        assertThat(upstreamOf(get("/items/42x").header("x-beta", "true"))).isEqualTo("v2");
    }

    @Test
    @DisplayName("GIVEN a header route WHEN the header matches (name in any case) THEN it wins over the canary")
    void headerMatch() throws Exception {
        assertThat(upstreamOf(get("/anything").header("x-beta", "true"))).isEqualTo("v2");
    }

    @Test
    @DisplayName("GIVEN a method route WHEN the method is DELETE THEN it wins")
    void methodMatch() throws Exception {
        assertThat(upstreamOf(get("/thing").DELETE())).isEqualTo("v3");
    }

    @Test
    @DisplayName("GIVEN a query route WHEN variant=b THEN it wins; variant=a falls through")
    void queryMatch() throws Exception {
        assertThat(upstreamOf(get("/q?variant=b&x=1"))).isEqualTo("v2");
        assertThat(upstreamOf(get("/q?variant=a").header("x-beta", "true"))).isEqualTo("v2");
    }

    @Test
    @DisplayName("GIVEN a host rewrite WHEN routed THEN the upstream sees the rewritten Host")
    void hostRewrite() throws Exception {
        upstreamOf(get("/legacy/thing"));
        assertThat(v3.received().stream().filter(r -> r.uri().equals("/legacy/thing")).findFirst().orElseThrow()
                .header("host")).isEqualTo("legacy.internal");
    }

    @Test
    @DisplayName("GIVEN a 90/10 split WHEN 1,000 requests arrive pipelined on one connection THEN v1 gets exactly 900 and v2 100, in order")
    void weightedSplit() throws Exception {
        // 10,000 picks of the same route object are in WeightedSplitTest; over sockets, with paranoid
        // leak tracking on every buffer, 1,000 requests prove the path at a tenth of the time.
        int total = 1_000;
        try (Socket socket = new Socket("127.0.0.1", proxy.outboundPort())) {
            socket.setSoTimeout(20_000);
            OutputStream out = socket.getOutputStream();
            Thread writer = new Thread(() -> {
                try {
                    byte[] one = "GET /split HTTP/1.1\r\nHost: orders\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
                    for (int i = 0; i < total - 1; i++) {
                        out.write(one);
                    }
                    out.write("GET /split HTTP/1.1\r\nHost: orders\r\nConnection: close\r\n\r\n"
                            .getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            writer.start();
            String responses = new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
            writer.join();

            assertThat(count(responses, "HTTP/1.1 200 OK\r\n")).isEqualTo(total);
            assertThat(count(responses, "x-upstream: v1\r\n")).isEqualTo(900);
            assertThat(count(responses, "x-upstream: v2\r\n")).isEqualTo(100);
        }
    }

    private static int count(String text, String needle) {
        int n = 0;
        for (int at = text.indexOf(needle); at >= 0; at = text.indexOf(needle, at + needle.length())) {
            n++;
        }
        return n;
    }
}
