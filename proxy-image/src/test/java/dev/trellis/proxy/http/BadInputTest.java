package dev.trellis.proxy.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trellis.proxy.ProxyServer;
import dev.trellis.proxy.fixtures.Clients;
import dev.trellis.proxy.fixtures.H2FrameProbe;
import dev.trellis.proxy.fixtures.Mesh;
import dev.trellis.proxy.fixtures.UpstreamServer;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Bad input on real sockets: refused with the right status, counted, never wedging the proxy")
class BadInputTest {

    static UpstreamServer orders;
    static ProxyServer proxy;

    @BeforeAll
    static void start() throws Exception {
        orders = UpstreamServer.http1("orders", UpstreamServer.echo());
        proxy = Mesh.start(Mesh.spec("""
                  - name: orders
                    port: 8081
                    retry: { attempts: 0 }
                    outlierDetection: { consecutiveFailures: 1000 }
                """).endpoints("orders", "v1", orders).snapshot(), HttpLimits.DEFAULT.withMaxHeaderSize(1024));
    }

    @AfterAll
    static void stop() {
        proxy.close();
        orders.close();
    }

    private static String send(String request) throws Exception {
        return Clients.raw(proxy.outboundPort(), request, 3000);
    }

    private static void assertStillServing() throws Exception {
        assertThat(send("GET /alive HTTP/1.1\r\nHost: orders\r\nConnection: close\r\n\r\n")).startsWith("HTTP/1.1 200 OK");
    }

    @Test
    @DisplayName("GIVEN Content-Length and Transfer-Encoding together WHEN sent THEN 400 ambiguous-framing, the connection closes, nothing reaches the upstream")
    void contentLengthWithTransferEncoding() throws Exception {
        int before = orders.requests();

        String response = send("POST /smuggle HTTP/1.1\r\nHost: orders\r\nContent-Length: 4\r\n"
                + "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /second HTTP/1.1\r\nHost: orders\r\n\r\n");

        assertThat(response).startsWith("HTTP/1.1 400 Bad Request\r\n").contains("x-trellis-error: ambiguous-framing")
                .contains("connection: close");
        assertThat(response.split("HTTP/1.1", -1)).hasSize(2);
        assertThat(orders.requests()).isEqualTo(before);
        assertStillServing();
    }

    @Test
    @DisplayName("GIVEN an invalid chunk size WHEN the body is sent THEN 400 and the connection closes")
    void invalidChunkSize() throws Exception {
        String response = send("POST /chunks HTTP/1.1\r\nHost: orders\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n");

        assertThat(response).contains("HTTP/1.1 400 Bad Request\r\n").contains("connection: close");
        assertStillServing();
    }

    @Test
    @DisplayName("GIVEN two different Content-Length values WHEN sent THEN 400")
    void conflictingContentLengths() throws Exception {
        String response = send("POST /cl HTTP/1.1\r\nHost: orders\r\nContent-Length: 3\r\nContent-Length: 5\r\n\r\nabcde");

        assertThat(response).startsWith("HTTP/1.1 400 Bad Request\r\n");
    }

    @Test
    @DisplayName("GIVEN headers over the configured 1 KiB WHEN sent THEN 431 headers-too-large")
    void oversizedHeaders() throws Exception {
        String response = send("GET / HTTP/1.1\r\nHost: orders\r\nx-big: " + "a".repeat(2000) + "\r\n\r\n");

        assertThat(response).startsWith("HTTP/1.1 431 Request Header Fields Too Large\r\n")
                .contains("x-trellis-error: headers-too-large");
        assertStillServing();
    }

    @Test
    @DisplayName("GIVEN a request line over the limit WHEN sent THEN 414")
    void longRequestLine() throws Exception {
        String response = send("GET /" + "a".repeat(10_000) + " HTTP/1.1\r\nHost: orders\r\n\r\n");

        assertThat(response).startsWith("HTTP/1.1 414 Request-URI Too Long\r\n");
    }

    @Test
    @DisplayName("GIVEN bytes that are neither an HTTP/1.x request line nor the HTTP/2 preface WHEN sent THEN the connection closes without a reply (an invalid preface, RFC 9113 3.4) and the proxy keeps serving")
    void garbage() throws Exception {
        try (H2FrameProbe probe = H2FrameProbe.connectSilently(proxy.outboundPort())) {
            probe.send("\u0001\u0002 hello there\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));

            assertThat(probe.readRawToClose(Duration.ofSeconds(3))).isEmpty();
        }
        assertStillServing();
    }

    @Test
    @DisplayName("GIVEN an HTTP/1.1 request line with an invalid method WHEN sent THEN 400 and close, as before any HTTP/2 check")
    void malformedHttp1RequestLine() throws Exception {
        String response = send("G\u0001T / HTTP/1.1\r\nHost: orders\r\n\r\n");

        assertThat(response).startsWith("HTTP/1.1 400 Bad Request\r\n");
        assertStillServing();
    }

    @Test
    @DisplayName("GIVEN a caller that resets in the middle of a body WHEN the proxy notices THEN the upstream try is abandoned and the proxy keeps serving")
    void callerResetMidBody() throws Exception {
        orders.behavior(r -> UpstreamServer.ok("never"));
        try (Socket socket = new Socket("127.0.0.1", proxy.outboundPort())) {
            OutputStream out = socket.getOutputStream();
            out.write("POST /upload HTTP/1.1\r\nHost: orders\r\nContent-Length: 100000\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.write(new byte[1000]);
            out.flush();
            Thread.sleep(100);
            socket.setSoLinger(true, 0);
        }
        orders.behavior(UpstreamServer.echo());
        assertStillServing();
    }

    @Test
    @DisplayName("GIVEN an upstream that answers garbage WHEN called THEN the caller gets 502 bad-upstream-response")
    void upstreamGarbage() throws Exception {
        orders.behavior(r -> UpstreamServer.garbage());
        try {
            String response = send("GET /garbage HTTP/1.1\r\nHost: orders\r\nConnection: close\r\n\r\n");
            assertThat(response).startsWith("HTTP/1.1 502 Bad Gateway\r\n");
        } finally {
            orders.behavior(UpstreamServer.echo());
        }
        assertStillServing();
    }

    @Test
    @DisplayName("GIVEN an upstream that resets before answering WHEN called without retries THEN 502 upstream-reset")
    void upstreamReset() throws Exception {
        orders.behavior(r -> UpstreamServer.reset());
        try {
            String response = send("GET /reset HTTP/1.1\r\nHost: orders\r\nConnection: close\r\n\r\n");
            assertThat(response).startsWith("HTTP/1.1 502 Bad Gateway\r\n").contains("x-trellis-error: upstream-reset");
        } finally {
            orders.behavior(UpstreamServer.echo());
        }
    }

    @Test
    @DisplayName("GIVEN an upstream that resets in the middle of its body WHEN called THEN the caller's connection is cut (it cannot be told otherwise) and the proxy keeps serving")
    void upstreamResetMidResponse() throws Exception {
        orders.behavior(r -> UpstreamServer.truncate());
        try {
            String response = send("GET /truncated HTTP/1.1\r\nHost: orders\r\n\r\n");
            assertThat(response).startsWith("HTTP/1.1 200 OK\r\n").contains("content-length: 100000");
            assertThat(response.length()).isLessThan(100_000);
        } finally {
            orders.behavior(UpstreamServer.echo());
        }
        assertStillServing();
    }

    @Test
    @DisplayName("GIVEN a CONNECT request WHEN sent to the HTTP listener THEN 405 (TCP tunnels are the TCP listener's)")
    void connectRefused() throws Exception {
        String response = send("CONNECT orders:443 HTTP/1.1\r\nHost: orders:443\r\n\r\n");

        assertThat(response).startsWith("HTTP/1.1 405 Method Not Allowed\r\n");
    }
}
