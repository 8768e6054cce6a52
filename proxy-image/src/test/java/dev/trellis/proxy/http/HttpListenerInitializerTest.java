package dev.trellis.proxy.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trellis.proxy.metrics.Direction;
import dev.trellis.proxy.metrics.ProxyMetrics;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersEncoder;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
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
    @DisplayName("GIVEN an HTTP/1.0 request line WHEN it arrives THEN the pipeline speaks HTTP/1.1 (strict codec)")
    void http10() {
        EmbeddedChannel channel = channel();

        channel.writeInbound(Unpooled.copiedBuffer("GET / HTTP/1.0\r\n", StandardCharsets.US_ASCII));

        assertThat(channel.pipeline().get(StrictHttpServerCodec.class)).isNotNull();
        channel.finishAndReleaseAll();
    }

    @Test
    @DisplayName("GIVEN the start of a request line that is not the preface WHEN its line end has not arrived THEN the detector waits for it")
    void waitsForTheFirstLine() {
        EmbeddedChannel channel = channel();

        channel.writeInbound(Unpooled.copiedBuffer("GET /long/path HT", StandardCharsets.US_ASCII));

        assertThat(channel.pipeline().get(Http2PrefaceDetector.class)).isNotNull();
        assertThat(channel.isOpen()).isTrue();
        channel.writeInbound(Unpooled.copiedBuffer("TP/1.1\r\n", StandardCharsets.US_ASCII));
        assertThat(channel.pipeline().get(StrictHttpServerCodec.class)).isNotNull();
        channel.finishAndReleaseAll();
    }

    @Test
    @DisplayName("GIVEN a first line that is neither the preface nor an HTTP/1.x request line WHEN it arrives THEN the connection closes with nothing written, and is reported once")
    void invalidPrefaceCloses() {
        AtomicInteger notHttp = new AtomicInteger();
        EmbeddedChannel channel = new EmbeddedChannel(new HttpListenerInitializer(HttpLimits.DEFAULT,
                ChannelInboundHandlerAdapter::new, metrics.connections(Direction.OUTBOUND), ch -> null, null,
                notHttp::incrementAndGet));

        channel.writeInbound(Unpooled.copiedBuffer("INVALID CONNECTION PREFACE\r\n\r\n", StandardCharsets.US_ASCII));

        assertThat(channel.isOpen()).isFalse();
        assertThat((Object) channel.readOutbound()).isNull();
        assertThat(notHttp).hasValue(1);
        channel.finishAndReleaseAll();
    }

    @Test
    @DisplayName("GIVEN an HTTP/1.1 request line WHEN it arrives THEN nothing is reported as not HTTP")
    void http1IsNotReported() {
        AtomicInteger notHttp = new AtomicInteger();
        EmbeddedChannel channel = new EmbeddedChannel(new HttpListenerInitializer(HttpLimits.DEFAULT,
                ChannelInboundHandlerAdapter::new, metrics.connections(Direction.OUTBOUND), ch -> null, null,
                notHttp::incrementAndGet));

        channel.writeInbound(Unpooled.copiedBuffer("GET / HTTP/1.1\r\n", StandardCharsets.US_ASCII));

        assertThat(channel.isOpen()).isTrue();
        assertThat(notHttp).hasValue(0);
        channel.finishAndReleaseAll();
    }

    @Test
    @DisplayName("GIVEN a request line for HTTP/2.0 that is not the preface WHEN it arrives THEN the connection closes")
    void wrongPrefaceVersionCloses() {
        EmbeddedChannel channel = channel();

        channel.writeInbound(Unpooled.copiedBuffer("GET / HTTP/2.0\r\n\r\n", StandardCharsets.US_ASCII));

        assertThat(channel.isOpen()).isFalse();
        channel.finishAndReleaseAll();
    }

    @Test
    @DisplayName("GIVEN a first line longer than the request-line limit WHEN no line end came THEN HTTP/1.1 takes it (and answers 414)")
    void overlongFirstLineGoesToHttp1() {
        EmbeddedChannel channel = new EmbeddedChannel(new HttpListenerInitializer(HttpLimits.DEFAULT.withMaxInitialLineLength(64),
                ChannelInboundHandlerAdapter::new, metrics.connections(Direction.OUTBOUND)));

        channel.writeInbound(Unpooled.copiedBuffer("GET /" + "a".repeat(100), StandardCharsets.US_ASCII));

        assertThat(channel.pipeline().get(StrictHttpServerCodec.class)).isNotNull();
        channel.finishAndReleaseAll();
    }

    @Test
    @DisplayName("GIVEN an HTTP/2 connection WHEN a HEADERS frame carries a bad HPACK index THEN GOAWAY with COMPRESSION_ERROR, the connection closes, and no error is left to the pipeline's tail")
    void connectionErrorAnsweredNotLogged() {
        EmbeddedChannel channel = channel();
        ByteBuf in = Unpooled.buffer();
        in.writeBytes(Http2CodecUtil.connectionPrefaceBuf());
        in.writeBytes(new byte[] {0, 0, 0, 4, 0, 0, 0, 0, 0});                       // SETTINGS, empty
        in.writeBytes(new byte[] {0, 0, 1, 1, 5, 0, 0, 0, 1, (byte) 0x80});          // HEADERS: indexed field 0

        channel.writeInbound(in);

        ByteBuf written = Unpooled.buffer();
        for (ByteBuf out; (out = channel.readOutbound()) != null; out.release()) {
            written.writeBytes(out);
        }
        int goAway = ByteBufUtil.indexOf(Unpooled.wrappedBuffer(new byte[] {7, 0, 0, 0, 0, 0}), written);
        assertThat(goAway).as("GOAWAY frame header in %s", ByteBufUtil.hexDump(written)).isGreaterThan(0);
        assertThat(written.getInt(goAway + 10)).as("GOAWAY error code").isEqualTo((int) Http2Error.COMPRESSION_ERROR.code());
        written.release();
        assertThat(channel.isOpen()).isFalse();
        channel.checkException();
        channel.finishAndReleaseAll();
    }

    @Test
    @DisplayName("GIVEN an HTTP/2 stream WHEN its response is written and flushed frame by frame outside the connection's read (as an upstream's frames arrive) THEN all of it leaves in one flush of the connection, one write syscall")
    void responseFramesLeaveInOneFlush() throws Exception {
        AtomicReference<ChannelHandlerContext> stream = new AtomicReference<>();
        EmbeddedChannel channel = new EmbeddedChannel(new HttpListenerInitializer(HttpLimits.DEFAULT,
                () -> new ChannelInboundHandlerAdapter() {
                    @Override
                    public void channelActive(ChannelHandlerContext ctx) {
                        ctx.read();                                        // streams read on request only
                    }

                    @Override
                    public void channelRead(ChannelHandlerContext ctx, Object msg) {
                        ReferenceCountUtil.release(msg);
                        stream.set(ctx);
                    }
                }, metrics.connections(Direction.OUTBOUND)));
        // The socket: writes wait for a flush (their promises too), and each flush with data is one write
        // syscall. Holding them here also keeps EmbeddedChannel from running its pending tasks, a deferred
        // flush among them, on every write.
        AtomicInteger flushes = new AtomicInteger();
        channel.pipeline().addFirst(new ChannelOutboundHandlerAdapter() {
            private final List<Object> held = new ArrayList<>();
            private final List<ChannelPromise> promises = new ArrayList<>();

            @Override
            public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
                held.add(msg);
                promises.add(promise);
            }

            @Override
            public void flush(ChannelHandlerContext ctx) {
                if (!held.isEmpty()) {
                    flushes.incrementAndGet();
                    for (int i = 0; i < held.size(); i++) {
                        ctx.write(held.get(i), promises.get(i));
                    }
                    held.clear();
                    promises.clear();
                }
                ctx.flush();
            }
        });
        channel.writeInbound(Http2CodecUtil.connectionPrefaceBuf());
        ByteBuf in = Unpooled.buffer();
        in.writeBytes(new byte[] {0, 0, 0, 4, 0, 0, 0, 0, 0});                       // SETTINGS, empty
        ByteBuf block = Unpooled.buffer();
        // Stream 3, not 1: on a channel without a server parent (EmbeddedChannel) Netty takes stream 1 for an h2c upgrade's.
        new DefaultHttp2HeadersEncoder().encodeHeaders(3, new DefaultHttp2Headers().method("GET").scheme("http")
                .path("/").authority("echo"), block);
        in.writeMedium(block.readableBytes()).writeByte(1).writeByte(5).writeInt(3);  // HEADERS, END_STREAM | END_HEADERS
        in.writeBytes(block);
        block.release();
        channel.writeInbound(in);
        channel.runPendingTasks();
        assertThat(stream.get()).as("the stream's request reached its frontend").isNotNull();
        releaseOutbound(channel);
        flushes.set(0);

        ChannelHandlerContext ctx = stream.get();
        ctx.writeAndFlush(new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK));
        ctx.writeAndFlush(new DefaultHttpContent(Unpooled.copiedBuffer("body", StandardCharsets.US_ASCII)));
        DefaultLastHttpContent trailers = new DefaultLastHttpContent();
        trailers.trailingHeaders().set("grpc-status", "0");
        ctx.writeAndFlush(trailers);
        channel.runPendingTasks();

        assertThat(flushes).as("flushes of the connection for HEADERS, DATA and trailers").hasValue(1);
        ByteBuf written = Unpooled.buffer();
        for (ByteBuf out; (out = channel.readOutbound()) != null; out.release()) {
            written.writeBytes(out);
        }
        assertThat(ByteBufUtil.indexOf(Unpooled.wrappedBuffer("body".getBytes(StandardCharsets.US_ASCII)), written))
                .as("the DATA frame's payload in %s", ByteBufUtil.hexDump(written)).isGreaterThan(0);
        written.release();
        channel.checkException();
        channel.finishAndReleaseAll();
    }

    private static void releaseOutbound(EmbeddedChannel channel) {
        for (Object out; (out = channel.readOutbound()) != null; ) {
            ReferenceCountUtil.release(out);
        }
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
