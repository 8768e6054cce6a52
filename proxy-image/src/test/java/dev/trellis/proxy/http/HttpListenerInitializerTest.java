package dev.trellis.proxy.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trellis.proxy.metrics.Direction;
import dev.trellis.proxy.metrics.ProxyMetrics;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2FrameCodec;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("HttpListenerInitializer: HTTP/1.1 or HTTP/2 from the first bytes")
class HttpListenerInitializerTest {

    private final ProxyMetrics metrics = ProxyMetrics.noop();

    private EmbeddedChannel channel() {
        return new EmbeddedChannel(new HttpListenerInitializer(HttpLimits.DEFAULT, ChannelInboundHandlerAdapter::new,
                metrics.connections(Direction.OUTBOUND)));
    }

    @Test
    @DisplayName("GIVEN the HTTP/2 connection preface WHEN it arrives THEN the pipeline speaks HTTP/2 and the detector is gone")
    void priorKnowledge() {
        EmbeddedChannel channel = channel();

        channel.writeInbound(Http2CodecUtil.connectionPrefaceBuf());

        assertThat(channel.pipeline().get(Http2FrameCodec.class)).isNotNull();
        assertThat(channel.pipeline().get(Http2PrefaceDetector.class)).isNull();
        channel.finishAndReleaseAll();
    }

    @Test
    @DisplayName("GIVEN an HTTP/1.1 request line WHEN it arrives THEN the pipeline speaks HTTP/1.1 (strict codec)")
    void http1() {
        EmbeddedChannel channel = channel();

        channel.writeInbound(Unpooled.copiedBuffer("GET / HTTP/1.1\r\n", StandardCharsets.US_ASCII));

        assertThat(channel.pipeline().get(StrictHttpServerCodec.class)).isNotNull();
        assertThat(channel.pipeline().get(Http2FrameCodec.class)).isNull();
        channel.finishAndReleaseAll();
    }

    @Test
    @DisplayName("GIVEN only the first bytes of the preface WHEN they arrive THEN the detector waits for more")
    void waitsForEnoughBytes() {
        EmbeddedChannel channel = channel();

        channel.writeInbound(Unpooled.copiedBuffer("PRI * HT", StandardCharsets.US_ASCII));

        assertThat(channel.pipeline().get(Http2PrefaceDetector.class)).isNotNull();
        channel.finishAndReleaseAll();
    }

    @Test
    @DisplayName("GIVEN a connection WHEN it opens and closes THEN the listener's connection gauge follows")
    void countsConnections() {
        EmbeddedChannel channel = channel();
        assertThat(metrics.connections(Direction.OUTBOUND).active()).isEqualTo(1);
        channel.close();
        assertThat(metrics.connections(Direction.OUTBOUND).active()).isZero();
    }
}
