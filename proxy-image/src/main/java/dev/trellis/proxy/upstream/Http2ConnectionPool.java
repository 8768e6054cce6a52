package dev.trellis.proxy.upstream;

import dev.trellis.proxy.circuitbreaker.CircuitBreaker;
import dev.trellis.proxy.metrics.RejectionReason;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import java.util.ArrayDeque;

/**
 * One HTTP/2 (prior knowledge, cleartext) connection of one event loop to one host, multiplexing
 * every request of that loop as a stream. Requests arriving while it connects wait for it.
 */
final class Http2ConnectionPool implements ConnectionPool {

    private final UpstreamConnector connector;
    private final UpstreamHost host;
    private final EventLoop loop;
    private final CircuitBreaker breaker;
    private final ArrayDeque<StreamCallback> waiters = new ArrayDeque<>();
    private Channel connection;
    private boolean connecting;
    private boolean retired;

    Http2ConnectionPool(UpstreamConnector connector, UpstreamHost host, EventLoop loop) {
        this.connector = connector;
        this.host = host;
        this.loop = loop;
        this.breaker = host.breaker();
    }

    @Override
    public void acquire(StreamCallback callback, int connectTimeoutMillis) {
        if (connection != null && connection.isActive()) {
            open(callback);
            return;
        }
        if (!breaker.tryAcquirePending()) {
            callback.onOverloaded(RejectionReason.MAX_PENDING_REQUESTS);
            return;
        }
        waiters.add(callback);
        if (!connecting) {
            connect(connectTimeoutMillis);
        }
    }

    private void connect(int connectTimeoutMillis) {
        if (!breaker.tryAcquireConnection()) {
            failWaiters(null);
            return;
        }
        connecting = true;
        Http2Settings settings = Http2Settings.defaultSettings()
                .maxHeaderListSize(connector.limits().maxHeaderSize())
                .pushEnabled(false);
        ChannelFuture future = connector.bootstrap(loop, connectTimeoutMillis, new ChannelInitializer<SocketChannel>() {
            @Override
            protected void initChannel(SocketChannel ch) {
                ch.pipeline().addLast(
                        Http2FrameCodecBuilder.forClient().initialSettings(settings).validateHeaders(false).build(),
                        new Http2MultiplexHandler(new RefusePushHandler()));
                connector.secure(ch, host);
            }
        }).connect(host.address());
        future.addListener((ChannelFuture f) -> {
            if (f.isSuccess()) {
                f.channel().closeFuture().addListener(ignored -> breaker.releaseConnection());
                UpstreamConnector.whenReady(f.channel(), () -> connected(f.channel()), cause -> {
                    connecting = false;
                    failWaiters(cause);
                });
            } else {
                connecting = false;
                breaker.releaseConnection();
                failWaiters(f.cause());
            }
        });
    }

    private void connected(Channel channel) {
        connecting = false;
        // The connection's own frames (settings, pings, window updates) must always flow.
        channel.config().setAutoRead(true);
        channel.read();
        connection = channel;
        channel.closeFuture().addListener(ignored -> {
            if (connection == channel) {
                connection = null;
            }
        });
        StreamCallback waiter;
        while ((waiter = waiters.poll()) != null) {
            breaker.releasePending();
            open(waiter);
        }
    }

    private void failWaiters(Throwable cause) {
        StreamCallback waiter;
        while ((waiter = waiters.poll()) != null) {
            breaker.releasePending();
            if (cause == null) {
                waiter.onOverloaded(RejectionReason.MAX_CONNECTIONS);
            } else {
                waiter.onStreamFailure(cause);
            }
        }
    }

    private void open(StreamCallback callback) {
        UpstreamResponseHandler handler = new UpstreamResponseHandler();
        new Http2StreamChannelBootstrap(connection)
                .option(ChannelOption.AUTO_READ, false)
                .handler(new ChannelInitializer<Http2StreamChannel>() {
                    @Override
                    protected void initChannel(Http2StreamChannel ch) {
                        ch.pipeline().addLast(new Http2StreamFrameToHttpObjectCodec(false, false), handler);
                    }
                })
                .open()
                .addListener((Future<Http2StreamChannel> f) -> {
                    if (f.isSuccess()) {
                        callback.onStream(new Stream(f.getNow(), handler));
                    } else {
                        callback.onStreamFailure(f.cause());
                    }
                });
    }

    @Override
    public void retire() {
        loop.execute(() -> {
            retired = true;
            if (connection != null) {
                // Streams in flight finish; the connection closes when the last one does.
                Channel channel = connection;
                connection = null;
                channel.eventLoop().schedule(() -> channel.close(), 30, java.util.concurrent.TimeUnit.SECONDS);
            }
        });
    }

    @Override
    public int openConnections() {
        return connection != null && connection.isActive() ? 1 : 0;
    }

    boolean retired() {
        return retired;
    }

    /** Servers may not push to the proxy; pushed streams are dropped. */
    private static final class RefusePushHandler extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ReferenceCountUtil.release(msg);
            ctx.close();
        }

        @Override
        public boolean isSharable() {
            return true;
        }
    }

    private static final class Stream implements UpstreamStream {
        private final Http2StreamChannel channel;
        private final UpstreamResponseHandler handler;

        Stream(Http2StreamChannel channel, UpstreamResponseHandler handler) {
            this.channel = channel;
            this.handler = handler;
        }

        @Override
        public Channel channel() {
            return channel;
        }

        @Override
        public void attach(UpstreamListener listener) {
            handler.listener(listener);
        }

        @Override
        public void release(boolean reusable) {
            handler.listener(null);
            if (!reusable && channel.isActive()) {
                channel.close();
            }
        }

        @Override
        public boolean multiplexed() {
            return true;
        }
    }
}
