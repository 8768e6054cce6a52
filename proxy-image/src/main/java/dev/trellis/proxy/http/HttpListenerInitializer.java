package dev.trellis.proxy.http;

import dev.trellis.proxy.metrics.ProxyMetrics;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpServerUpgradeHandler;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2ServerUpgradeCodec;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import io.netty.handler.flush.FlushConsolidationHandler;
import io.netty.util.AsciiString;
import dev.trellis.proxy.idle.DownstreamIdleHandler;
import java.util.function.Function;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * Sets up a listener's connections: HTTP/1.1 (strict codec, h2c upgrade) or HTTP/2 (prior
 * knowledge), each ending in a fresh frontend handler per connection or per HTTP/2 stream.
 * Both speak {@code HttpObject}s to the frontend: HTTP/2 streams are converted by Netty's
 * stream codec, so one forwarding path serves both protocols.
 */
public final class HttpListenerInitializer extends ChannelInitializer<Channel> {

    /** Stateless (@Sharable): one for every stream of every connection. */
    private static final Http2StreamFrameToHttpObjectCodec STREAM_CODEC = new Http2StreamFrameToHttpObjectCodec(true, false);

    private final HttpLimits limits;
    private final Supplier<ChannelHandler> frontend;
    private final ProxyMetrics.ConnectionGauge connections;
    private final Function<Channel, ChannelHandler> tls;
    private final LongSupplier idleTimeoutNanos;
    private final Runnable notHttp;

    public HttpListenerInitializer(HttpLimits limits, Supplier<ChannelHandler> frontend,
                                   ProxyMetrics.ConnectionGauge connections) {
        this(limits, frontend, connections, ch -> null);
    }

    /**
     * @param tls the TLS handler of a new connection (mTLS termination), or null from it for plaintext;
     *        asked per connection, so that a new snapshot's TLS mode applies to new connections
     */
    public HttpListenerInitializer(HttpLimits limits, Supplier<ChannelHandler> frontend,
                                   ProxyMetrics.ConnectionGauge connections, Function<Channel, ChannelHandler> tls) {
        this(limits, frontend, connections, tls, null);
    }

    /**
     * @param idleTimeoutNanos how long a connection may stay without a request in flight (read when it
     *        matters, so a new snapshot's value applies), or null for no idle timeout
     */
    public HttpListenerInitializer(HttpLimits limits, Supplier<ChannelHandler> frontend,
                                   ProxyMetrics.ConnectionGauge connections, Function<Channel, ChannelHandler> tls,
                                   LongSupplier idleTimeoutNanos) {
        this(limits, frontend, connections, tls, idleTimeoutNanos, () -> { });
    }

    /**
     * @param notHttp called for each connection that opened with neither the HTTP/2 preface nor an
     *        HTTP/1.x request line and was closed (to count it as a malformed request)
     */
    public HttpListenerInitializer(HttpLimits limits, Supplier<ChannelHandler> frontend,
                                   ProxyMetrics.ConnectionGauge connections, Function<Channel, ChannelHandler> tls,
                                   LongSupplier idleTimeoutNanos, Runnable notHttp) {
        this.notHttp = notHttp;
        this.idleTimeoutNanos = idleTimeoutNanos;
        this.limits = limits;
        this.frontend = frontend;
        this.connections = connections;
        this.tls = tls;
    }

    @Override
    protected void initChannel(Channel ch) {
        connections.opened();
        ch.closeFuture().addListener(f -> connections.closed());
        if (idleTimeoutNanos != null) {
            ch.pipeline().addLast(new DownstreamIdleHandler(idleTimeoutNanos));
        }
        ChannelHandler termination = tls.apply(ch);
        if (termination != null) {
            ch.pipeline().addLast(termination);
        }
        ch.pipeline().addLast(new Http2PrefaceDetector(this));
    }

    int maxInitialLineLength() {
        return limits.maxInitialLineLength();
    }

    void refusedNotHttp() {
        notHttp.run();
    }

    void installHttp1(ChannelPipeline pipeline) {
        StrictHttpServerCodec codec = new StrictHttpServerCodec(limits);
        HttpServerUpgradeHandler.UpgradeCodecFactory upgrades = protocol ->
                AsciiString.contentEquals(Http2CodecUtil.HTTP_UPGRADE_PROTOCOL_NAME, protocol)
                        ? new Http2ServerUpgradeCodec(http2Codec(), new ConnectionAutoRead(), http2Multiplexer(),
                                AnsweredConnectionErrors.INSTANCE)
                        : null;
        pipeline.addLast(codec, new HttpServerUpgradeHandler(codec, upgrades, limits.retryBufferBytes()),
                frontend.get());
    }

    void installHttp2(ChannelPipeline pipeline) {
        pipeline.addLast(consolidatedFlushes(), http2Codec(), new ConnectionAutoRead(), http2Multiplexer(),
                AnsweredConnectionErrors.INSTANCE);
    }

    /**
     * A stream's response is written while its upstream connection reads, frame by frame (each stream
     * reads one frame at a time, for backpressure), and each frame's read-complete flushes: without
     * this, every HEADERS, DATA and trailers frame of a response was a write syscall of its own. Flushes
     * now wait for the end of the connection's read batch, or of the event loop's round of I/O.
     */
    static FlushConsolidationHandler consolidatedFlushes() {
        return new FlushConsolidationHandler(FlushConsolidationHandler.DEFAULT_EXPLICIT_FLUSH_AFTER_FLUSHES, true);
    }

    private Http2FrameCodec http2Codec() {
        Http2Settings settings = Http2Settings.defaultSettings()
                .maxHeaderListSize(limits.maxHeaderSize())
                .maxConcurrentStreams(1024);
        return StrictHttp2FrameCodec.forServer(settings);
    }

    private Http2MultiplexHandler http2Multiplexer() {
        return new Http2MultiplexHandler(new ChannelInitializer<Http2StreamChannel>() {
            @Override
            protected void initChannel(Http2StreamChannel stream) {
                // Per-stream backpressure: frames wait (and the peer's window stays shut) until read.
                stream.config().setAutoRead(false);
                stream.pipeline().addLast(STREAM_CODEC, frontend.get());
            }
        });
    }

    /**
     * An HTTP/2 connection reads all the time: its own frames (settings, pings, window updates)
     * must flow, and each stream applies backpressure on its own.
     */
    private static final class ConnectionAutoRead extends ChannelInboundHandlerAdapter {
        @Override
        public void handlerAdded(ChannelHandlerContext ctx) {
            ctx.channel().config().setAutoRead(true);
            ctx.pipeline().remove(this);
        }
    }

    /**
     * The end of an HTTP/2 connection's pipeline. HTTP/2 connection errors (a broken frame, bad
     * HPACK) arrive here just before the frame codec answers them with GOAWAY and closes the
     * connection, so they need nothing more; other errors (a reset socket) end the connection
     * here. Either way nothing is logged: the pipeline's tail would log each one, letting any
     * caller fill the log.
     */
    @ChannelHandler.Sharable
    private static final class AnsweredConnectionErrors extends ChannelInboundHandlerAdapter {
        static final AnsweredConnectionErrors INSTANCE = new AnsweredConnectionErrors();

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            if (Http2CodecUtil.getEmbeddedHttp2Exception(cause) == null) {
                ctx.close();
            }
        }
    }
}
