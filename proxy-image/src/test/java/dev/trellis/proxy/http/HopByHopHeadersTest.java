package dev.trellis.proxy.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("HopByHopHeaders")
class HopByHopHeadersTest {

    @Test
    @DisplayName("GIVEN connection-scoped headers and headers named by Connection WHEN stripped THEN only end-to-end ones stay")
    void strips() {
        HttpHeaders headers = new DefaultHttpHeaders().add("connection", "keep-alive, x-hop").add("x-hop", "1")
                .add("keep-alive", "timeout=5").add("proxy-connection", "keep-alive").add("upgrade", "websocket")
                .add("transfer-encoding", "chunked").add("x-end", "2").add("x-http2-stream-id", "3");

        HopByHopHeaders.strip(headers, false);

        assertThat(headers.names()).containsExactlyInAnyOrder("transfer-encoding", "x-end");
    }

    @Test
    @DisplayName("GIVEN te: trailers WHEN stripped for an HTTP/2 hop THEN it stays (gRPC needs it); other te values go")
    void teTrailers() {
        HttpHeaders grpc = new DefaultHttpHeaders().add("te", "trailers");
        HttpHeaders other = new DefaultHttpHeaders().add("te", "gzip");

        HopByHopHeaders.strip(grpc, true);
        HopByHopHeaders.strip(other, true);

        assertThat(grpc.get("te")).isEqualTo("trailers");
        assertThat(other.contains("te")).isFalse();
    }
}
