package dev.trellis.proxy.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpResponseEncoder;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("LocalReply: the proxy's own responses, byte for byte")
class LocalReplyTest {

    private static String encode(Object response) {
        EmbeddedChannel channel = new EmbeddedChannel(new HttpResponseEncoder());
        channel.writeOutbound(response);
        StringBuilder text = new StringBuilder();
        ByteBuf buf;
        while ((buf = channel.readOutbound()) != null) {
            text.append(buf.toString(StandardCharsets.ISO_8859_1));
            buf.release();
        }
        channel.finishAndReleaseAll();
        return text.toString();
    }

    @Test
    @DisplayName("GIVEN overload by max requests WHEN answered THEN 503 with x-trellis-overloaded: max-requests")
    void overloaded() {
        assertThat(encode(LocalReply.OVERLOADED_MAX_REQUESTS.toResponse(false))).isEqualTo(
                "HTTP/1.1 503 Service Unavailable\r\ncontent-type: text/plain\r\ncontent-length: 13\r\n"
                        + "x-trellis-overloaded: max-requests\r\n\r\nmax-requests\n");
    }

    @Test
    @DisplayName("GIVEN a bad request that closes the connection WHEN answered THEN 400 with connection: close")
    void badRequestCloses() {
        assertThat(encode(LocalReply.SMUGGLING.toResponse(true))).isEqualTo(
                "HTTP/1.1 400 Bad Request\r\ncontent-type: text/plain\r\ncontent-length: 18\r\n"
                        + "x-trellis-error: ambiguous-framing\r\nconnection: close\r\n\r\nambiguous-framing\n");
    }

    @Test
    @DisplayName("GIVEN a fault abort WHEN answered THEN the route's status with x-trellis-fault: abort")
    void faultStatus() {
        assertThat(encode(LocalReply.FAULT_ABORT.toResponse(418, false))).startsWith(
                "HTTP/1.1 418 ").contains("x-trellis-fault: abort\r\n");
    }

    @Test
    @DisplayName("GIVEN a gRPC caller WHEN the upstream timed out THEN a trailers-only 200 with grpc-status 4 (deadline exceeded)")
    void grpcShape() {
        var response = LocalReply.UPSTREAM_TIMEOUT.toGrpcResponse();
        assertThat(response.status().code()).isEqualTo(200);
        assertThat(response.headers().get("grpc-status")).isEqualTo("4");
        assertThat(response.headers().get("content-type")).isEqualTo("application/grpc");
        assertThat(response.content().readableBytes()).isZero();
        response.release();
    }

    @Test
    @DisplayName("GIVEN content types WHEN asked whether gRPC THEN application/grpc and its +proto form are, JSON is not")
    void grpcDetection() {
        assertThat(LocalReply.isGrpc(new DefaultHttpHeaders().set("content-type", "application/grpc+proto"))).isTrue();
        assertThat(LocalReply.isGrpc(new DefaultHttpHeaders().set("content-type", "application/json"))).isFalse();
        assertThat(LocalReply.isGrpc(new DefaultHttpHeaders())).isFalse();
    }

    @Test
    @DisplayName("GIVEN the shared body WHEN replies are released THEN the static body survives for the next one")
    void bodyIsReusable() {
        for (int i = 0; i < 3; i++) {
            var response = LocalReply.NO_ROUTE.toResponse(false);
            assertThat(response.content().toString(StandardCharsets.US_ASCII)).isEqualTo("no-route\n");
            response.release();
        }
    }
}
