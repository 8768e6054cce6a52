package dev.trellis.proxy.forward;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trellis.proxy.accesslog.AccessLog;
import dev.trellis.proxy.config.RoutingTable;
import dev.trellis.proxy.config.SnapshotHolder;
import dev.trellis.proxy.fixtures.Mesh;
import dev.trellis.proxy.http.HttpLimits;
import dev.trellis.proxy.http.StrictHttpServerCodec;
import dev.trellis.proxy.metrics.Direction;
import dev.trellis.proxy.metrics.ProxyMetrics;
import dev.trellis.proxy.outbound.OutboundFrontendHandler;
import dev.trellis.proxy.transport.Transport;
import dev.trellis.proxy.upstream.UpstreamConnector;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The outbound frontend in an EmbeddedChannel, for every answer the proxy gives without an
 * upstream: exact bytes out, and whether the connection stays open.
 */
@DisplayName("Outbound frontend, byte for byte (answers without an upstream)")
class FrontendHandlerBytesTest {

    private static final HttpLimits LIMITS = HttpLimits.DEFAULT.withMaxHeaderSize(512);

    private EmbeddedChannel channel;

    private void open(Supplier<RoutingTable> tables) {
        ForwardingContext context = new ForwardingContext(tables, LIMITS, ProxyMetrics.noop(), Direction.OUTBOUND,
                AccessLog.off());
        channel = new EmbeddedChannel(new StrictHttpServerCodec(LIMITS), new OutboundFrontendHandler(context));
    }

    private void openWithMesh() {
        SnapshotHolder holder = new SnapshotHolder(new UpstreamConnector(Transport.nio(), LIMITS), ProxyMetrics.noop());
        holder.accept(Mesh.spec("""
                  - name: orders
                    port: 8081
                    routes:
                      - name: teapot
                        match: { pathPrefix: /tea }
                        targets: [{ version: v1, weight: 1 }]
                        fault: { abort: { status: 503, percent: 100 } }
                """).endpoint("orders", "v1", 20001).snapshot());
        open(holder::table);
    }

    @AfterEach
    void close() {
        channel.finishAndReleaseAll();
    }

    private String exchange(String request) {
        channel.writeInbound(Unpooled.copiedBuffer(request, StandardCharsets.ISO_8859_1));
        channel.runPendingTasks();
        StringBuilder text = new StringBuilder();
        ByteBuf buf;
        while ((buf = channel.readOutbound()) != null) {
            text.append(buf.toString(StandardCharsets.ISO_8859_1));
            buf.release();
        }
        return text.toString();
    }

    @Test
    @DisplayName("GIVEN no snapshot yet WHEN a request comes THEN 503 no-configuration and the connection stays open")
    void noConfiguration() {
        open(() -> null);

        assertThat(exchange("GET / HTTP/1.1\r\nHost: orders\r\n\r\n")).isEqualTo(
                "HTTP/1.1 503 Service Unavailable\r\ncontent-type: text/plain\r\ncontent-length: 17\r\n"
                        + "x-trellis-error: no-configuration\r\n\r\nno-configuration\n");
        assertThat(channel.isOpen()).isTrue();
    }

    @Test
    @DisplayName("GIVEN an unknown host WHEN two requests come on one connection THEN two 404s, in order, keep-alive")
    void noRouteKeepAlive() {
        openWithMesh();
        String one = "HTTP/1.1 404 Not Found\r\ncontent-type: text/plain\r\ncontent-length: 9\r\n"
                + "x-trellis-error: no-route\r\n\r\nno-route\n";

        assertThat(exchange("GET / HTTP/1.1\r\nHost: nobody\r\n\r\nGET /2 HTTP/1.1\r\nHost: nobody\r\n\r\n"))
                .isEqualTo(one + one);
        assertThat(channel.isOpen()).isTrue();
    }

    @Test
    @DisplayName("GIVEN Connection: close WHEN answered locally THEN the reply says so and the connection closes")
    void closeRequested() {
        openWithMesh();

        assertThat(exchange("GET / HTTP/1.1\r\nHost: nobody\r\nConnection: close\r\n\r\n"))
                .contains("connection: close\r\n");
        assertThat(channel.isOpen()).isFalse();
    }

    @Test
    @DisplayName("GIVEN a smuggling attempt WHEN decoded THEN exactly one 400 and the connection closes; the smuggled request is never answered")
    void smuggling() {
        openWithMesh();

        String out = exchange("POST / HTTP/1.1\r\nHost: orders\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "0\r\n\r\nGET /admin HTTP/1.1\r\nHost: orders\r\n\r\n");

        assertThat(out).isEqualTo("HTTP/1.1 400 Bad Request\r\ncontent-type: text/plain\r\ncontent-length: 18\r\n"
                + "x-trellis-error: ambiguous-framing\r\nconnection: close\r\n\r\nambiguous-framing\n");
        assertThat(channel.isOpen()).isFalse();
    }

    @Test
    @DisplayName("GIVEN headers over the limit WHEN decoded THEN 431 and close")
    void headersTooLarge() {
        openWithMesh();

        assertThat(exchange("GET / HTTP/1.1\r\nHost: orders\r\nx: " + "y".repeat(600) + "\r\n\r\n"))
                .startsWith("HTTP/1.1 431 Request Header Fields Too Large\r\n")
                .contains("x-trellis-error: headers-too-large\r\nconnection: close\r\n");
        assertThat(channel.isOpen()).isFalse();
    }

    @Test
    @DisplayName("GIVEN an abort fault WHEN its route matches a POST with a body THEN the status is answered and the body is read and dropped")
    void faultAbortDropsBody() {
        openWithMesh();

        String out = exchange("POST /tea HTTP/1.1\r\nHost: orders\r\nContent-Length: 4\r\n\r\nbody"
                + "GET /x HTTP/1.1\r\nHost: nobody\r\n\r\n");

        assertThat(out).startsWith("HTTP/1.1 503 Service Unavailable\r\n").contains("x-trellis-fault: abort\r\n")
                .contains("HTTP/1.1 404 Not Found\r\n");
        assertThat(channel.isOpen()).isTrue();
    }

    @Test
    @DisplayName("GIVEN a CONNECT WHEN requested THEN 405 method-not-supported")
    void connect() {
        openWithMesh();

        assertThat(exchange("CONNECT orders:443 HTTP/1.1\r\nHost: orders:443\r\n\r\n"))
                .startsWith("HTTP/1.1 405 Method Not Allowed\r\n").contains("x-trellis-error: method-not-supported");
    }
}
