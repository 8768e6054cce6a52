package dev.trellis.proxy.upstream;

import dev.trellis.proxy.circuitbreaker.CircuitBreaker;
import dev.trellis.proxy.metrics.RejectionReason;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2GoAwayFrame;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2SettingsFrame;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import io.netty.handler.flush.FlushConsolidationHandler;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.ScheduledFuture;
import java.nio.channels.ClosedChannelException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.concurrent.TimeUnit;

/**
 * The HTTP/2 (prior knowledge) connections of one event loop to one host, each multiplexing
 * requests as streams up to the peer's SETTINGS_MAX_CONCURRENT_STREAMS. When every connection is
 * full, another one is opened (one at a time), as far as the cluster's connection limit allows;
 * past it, requests wait for a stream or a connection slot, up to the pending limit.
 */
final class Http2ConnectionPool implements ConnectionPool {

    /** Stateless (@Sharable): one for every stream of every connection. */
    private static final Http2StreamFrameToHttpObjectCodec STREAM_CODEC = new Http2StreamFrameToHttpObjectCodec(false, false);

    private final UpstreamConnector connector;
    private final UpstreamHost host;
    private final EventLoop loop;
    private final CircuitBreaker breaker;
    private final ArrayList<Connection> connections = new ArrayList<>(2);
    private final ArrayDeque<StreamCallback> waiters = new ArrayDeque<>();
    private final Runnable wakeup;
    /** The connection being opened, not yet ready for streams; at most one at a time. */
    private Connection opening;
    private boolean awaitingSlot;
    private boolean retired;
    private final Runnable closeIdle = this::closeIdle;
    private ScheduledFuture<?> idleTimer;
    private final Runnable reclaim;
    /** Whether the breaker knows this pool keeps unused connections (to reclaim one for a waiting pool). */
    private boolean holdsIdle;
    /** The connect timeout of the latest acquisition: for connections opened later on behalf of waiters. */
    private int lastConnectTimeoutMillis = 1_000;

    Http2ConnectionPool(UpstreamConnector connector, UpstreamHost host, EventLoop loop) {
        this.connector = connector;
        this.host = host;
        this.loop = loop;
        this.breaker = host.breaker();
        this.wakeup = () -> loop.execute(this::onConnectionSlotFreed);
        this.reclaim = () -> loop.execute(this::closeOneUnused);
    }

    @Override
    public void acquire(StreamCallback callback, int connectTimeoutMillis) {
        Connection available = withFreeStream();
        if (available != null) {
            available.open(callback);
            return;
        }
        if (!breaker.tryAcquirePending()) {
            callback.onOverloaded(RejectionReason.MAX_PENDING_REQUESTS);
            return;
        }
        waiters.add(callback);
        lastConnectTimeoutMillis = connectTimeoutMillis;
        openAnother(connectTimeoutMillis);
    }

    private Connection withFreeStream() {
        for (int i = 0, n = connections.size(); i < n; i++) {
            Connection connection = connections.get(i);
            if (connection.hasFreeStream()) {
                return connection;
            }
        }
        return null;
    }

    /** Opens one more connection for the waiting requests, unless one is opening or the cluster's limit says wait. */
    private void openAnother(int connectTimeoutMillis) {
        if (opening != null || waiters.isEmpty()) {
            return;
        }
        if (retired) {
            // The host left the snapshot: nothing new is opened; without a connection to wait for, they fail (and may retry).
            if (connections.isEmpty()) {
                failWaiters(new ClosedChannelException());
            }
            return;
        }
        if (peerAllowsNoStream()) {
            // SETTINGS_MAX_CONCURRENT_STREAMS 0: a new connection would get the same; they wait for new SETTINGS.
            return;
        }
        if (breaker.tryAcquireConnection()) {
            connect(connectTimeoutMillis);
        } else if (!awaitingSlot) {
            // Streams of this loop's connections, or a slot another loop frees, will serve them.
            awaitingSlot = true;
            breaker.awaitConnection(wakeup);
        }
    }

    private boolean peerAllowsNoStream() {
        for (int i = 0, n = connections.size(); i < n; i++) {
            if (connections.get(i).maxStreams == 0) {
                return true;
            }
        }
        return false;
    }

    private void onConnectionSlotFreed() {
        awaitingSlot = false;
        if (waiters.isEmpty() || opening != null || retired) {
            // Nobody here needs it: pass the slot on to another loop's pool.
            breaker.wakeConnectionWaiter();
            return;
        }
        openAnother(lastConnectTimeoutMillis);
    }

    private void connect(int connectTimeoutMillis) {
        Connection connection = new Connection(connectTimeoutMillis);
        opening = connection;
        Http2Settings settings = Http2Settings.defaultSettings()
                .maxHeaderListSize(connector.limits().maxHeaderSize())
                .pushEnabled(false);
        ChannelFuture future = connector.bootstrap(loop, connectTimeoutMillis, new ChannelInitializer<SocketChannel>() {
            @Override
            protected void initChannel(SocketChannel ch) {
                ch.pipeline().addLast(
                        // A request's frames are written while its caller's connection reads, a frame at a time:
                        // one write syscall per read batch or round of I/O instead of one per frame.
                        new FlushConsolidationHandler(FlushConsolidationHandler.DEFAULT_EXPLICIT_FLUSH_AFTER_FLUSHES, true),
                        Http2FrameCodecBuilder.forClient().initialSettings(settings).validateHeaders(false).build(),
                        new Http2MultiplexHandler(new RefusePushHandler()),
                        connection);
                connector.secure(ch, host);
            }
        }).connect(host.address());
        future.addListener((ChannelFuture f) -> {
            if (f.isSuccess()) {
                connection.channel = f.channel();
                f.channel().closeFuture().addListener(ignored -> connection.closed());
                UpstreamConnector.whenReady(f.channel(), connection::transportReady, cause -> { });
            } else {
                breaker.releaseConnection();
                opening = null;
                failWaiters(f.cause());
            }
        });
    }

    private void failWaiters(Throwable cause) {
        StreamCallback waiter;
        while ((waiter = waiters.poll()) != null) {
            breaker.releasePending();
            waiter.onStreamFailure(cause);
        }
    }

    /** Hands free streams to waiting requests, oldest first; opens another connection for those left. */
    private void serveWaiters() {
        while (!waiters.isEmpty()) {
            Connection available = withFreeStream();
            if (available == null) {
                openAnother(lastConnectTimeoutMillis);
                return;
            }
            breaker.releasePending();
            available.open(waiters.poll());
        }
        if (awaitingSlot) {
            // Served by freed streams: a stale registration would make other pools close idle connections for nobody.
            awaitingSlot = false;
            breaker.cancelAwaitConnection(wakeup);
        }
    }

    /** A connection has no stream any more: it closes if it stays so for the host's idle timeout. */
    private void becameUnused(Connection connection) {
        connection.idleSinceNanos = System.nanoTime();
        if (idleTimer == null) {
            idleTimer = loop.schedule(closeIdle, host.idleTimeoutNanos(), TimeUnit.NANOSECONDS);
        }
        if (!holdsIdle) {
            holdsIdle = true;
            breaker.holdsIdle(reclaim);
        }
    }

    /** A pool waits for a connection slot that this pool's unused connections hold: one of them goes. */
    private void closeOneUnused() {
        holdsIdle = false;
        Connection unused = null;
        int left = 0;
        for (int i = 0, n = connections.size(); i < n; i++) {
            if (connections.get(i).streams == 0) {
                if (unused == null) {
                    unused = connections.get(i);
                } else {
                    left++;
                }
            }
        }
        if (unused == null) {
            // In use again meanwhile: another pool may have one.
            breaker.reclaimIdle();
            return;
        }
        connections.remove(unused);
        unused.channel.close();
        if (left > 0) {
            holdsIdle = true;
            breaker.holdsIdle(reclaim);
        }
    }

    /** Closes the connections without streams for the idle timeout; runs again for the next to expire. */
    private void closeIdle() {
        idleTimer = null;
        long timeout = host.idleTimeoutNanos();
        long now = System.nanoTime();
        long next = Long.MAX_VALUE;
        for (int i = connections.size() - 1; i >= 0; i--) {
            Connection connection = connections.get(i);
            if (connection.streams == 0) {
                long left = connection.idleSinceNanos + timeout - now;
                if (left <= 0) {
                    connections.remove(i);
                    connection.channel.close();
                } else {
                    next = Math.min(next, left);
                }
            }
        }
        if (next != Long.MAX_VALUE) {
            idleTimer = loop.schedule(closeIdle, next, TimeUnit.NANOSECONDS);
        }
    }

    @Override
    public void retire() {
        loop.execute(() -> {
            retired = true;
            // Streams in flight finish; each connection closes when its last one does.
            for (Connection connection : new ArrayList<>(connections)) {
                connection.closeIfUnused();
            }
            openAnother(lastConnectTimeoutMillis);
        });
    }

    @Override
    public int openConnections() {
        return connections.size();
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

    /**
     * One connection: the last handler of its pipeline, where the connection-level frames the
     * multiplexer passes on arrive (the peer's SETTINGS, GOAWAY). It takes streams once both the
     * transport is ready (TLS handshake done) and the peer's first SETTINGS told its stream limit.
     */
    private final class Connection extends ChannelInboundHandlerAdapter {
        private final int connectTimeoutMillis;
        private Channel channel;
        private Http2StreamChannelBootstrap streamBootstrap;
        private ScheduledFuture<?> settingsTimer;
        private boolean transportReady;
        private boolean settingsReceived;
        private boolean ready;
        private boolean goingAway;
        private int maxStreams = Integer.MAX_VALUE;
        private int streams;
        private long idleSinceNanos;

        Connection(int connectTimeoutMillis) {
            this.connectTimeoutMillis = connectTimeoutMillis;
        }

        boolean hasFreeStream() {
            return ready && !goingAway && streams < maxStreams && channel.isActive();
        }

        void transportReady() {
            transportReady = true;
            // The connection's own frames (settings, pings, window updates) must always flow.
            channel.config().setAutoRead(true);
            channel.read();
            if (settingsReceived) {
                becomeReady();
            } else {
                settingsTimer = loop.schedule(() -> {
                    if (!ready) {
                        channel.close();
                    }
                }, Math.max(1, connectTimeoutMillis), TimeUnit.MILLISECONDS);
            }
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof Http2SettingsFrame frame) {
                Long limit = frame.settings().maxConcurrentStreams();
                if (limit != null) {
                    maxStreams = (int) Math.min(Integer.MAX_VALUE, limit);
                }
                settingsReceived = true;
                if (!ready && transportReady) {
                    becomeReady();
                } else if (ready) {
                    // The peer may raise its limit later.
                    serveWaiters();
                }
            } else if (msg instanceof Http2GoAwayFrame) {
                // No new streams here; those in flight below the last stream id finish.
                goingAway = true;
                ReferenceCountUtil.release(msg);
                closeIfUnused();
                serveWaiters();
                return;
            }
            ReferenceCountUtil.release(msg);
        }

        private void becomeReady() {
            ready = true;
            if (settingsTimer != null) {
                settingsTimer.cancel(false);
            }
            if (opening == this) {
                opening = null;
            }
            connections.add(this);
            serveWaiters();
            if (streams == 0) {
                becameUnused(this);
            }
        }

        void open(StreamCallback callback) {
            streams++;
            if (streamBootstrap == null) {
                // One per connection, reused for every stream: only the codec goes in at open, the
                // stream's own handler right after (the stream opens synchronously on this loop).
                streamBootstrap = new Http2StreamChannelBootstrap(channel)
                        .option(ChannelOption.AUTO_READ, false)
                        .handler(STREAM_CODEC);
            }
            streamBootstrap.open().addListener((Future<Http2StreamChannel> f) -> {
                if (f.isSuccess()) {
                    Http2StreamChannel ch = f.getNow();
                    UpstreamResponseHandler handler = new UpstreamResponseHandler();
                    ch.pipeline().addLast(handler);
                    Stream stream = new Stream(ch, handler, this);
                    ch.closeFuture().addListener(stream);
                    callback.onStream(stream);
                } else {
                    streamClosed();
                    callback.onStreamFailure(f.cause());
                }
            });
        }

        void streamClosed() {
            streams--;
            if (!waiters.isEmpty()) {
                serveWaiters();
                return;
            }
            if (streams == 0 && breaker.hasConnectionWaiters()) {
                // Another event loop waits for a connection slot: free this one rather than idle it.
                goingAway = true;
            }
            closeIfUnused();
            if (streams == 0 && channel.isActive()) {
                becameUnused(this);
            }
        }

        void closeIfUnused() {
            if (streams == 0 && (goingAway || retired) && channel != null) {
                connections.remove(this);
                channel.close();
            }
        }

        void closed() {
            breaker.releaseConnection();
            connections.remove(this);
            if (settingsTimer != null) {
                settingsTimer.cancel(false);
            }
            if (opening == this) {
                // Closed before it could take a stream: the requests waiting for it fail (and may be retried).
                opening = null;
                failWaiters(new ClosedChannelException());
            } else if (!waiters.isEmpty()) {
                openAnother(lastConnectTimeoutMillis);
            }
        }
    }

    private static final class Stream implements UpstreamStream, ChannelFutureListener {
        private final Http2StreamChannel channel;
        private final UpstreamResponseHandler handler;
        private final Connection connection;

        Stream(Http2StreamChannel channel, UpstreamResponseHandler handler, Connection connection) {
            this.channel = channel;
            this.handler = handler;
            this.connection = connection;
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

        /** The stream ended (both sides done, or reset): its slot on the connection is free. */
        @Override
        public void operationComplete(ChannelFuture future) {
            connection.streamClosed();
        }
    }
}
