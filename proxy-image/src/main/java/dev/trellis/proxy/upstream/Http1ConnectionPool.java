package dev.trellis.proxy.upstream;

import dev.trellis.proxy.circuitbreaker.CircuitBreaker;
import dev.trellis.proxy.metrics.RejectionReason;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;

/**
 * Keep-alive HTTP/1.1 connections of one event loop to one host: one request at a time per
 * connection, most recently used first (warm connections, and cold ones time out upstream).
 * When the cluster's connection limit is reached, requests wait for a released connection, up to
 * the pending limit.
 */
final class Http1ConnectionPool implements ConnectionPool {

    private final UpstreamConnector connector;
    private final UpstreamHost host;
    private final EventLoop loop;
    private final CircuitBreaker breaker;
    private final ArrayDeque<Connection> idle = new ArrayDeque<>();
    private final ArrayDeque<Waiter> waiters = new ArrayDeque<>();
    private int open;
    private boolean retired;
    private final Runnable wakeup = () -> executeServeWaiter();
    private final Runnable closeIdle = this::closeIdle;
    private final Runnable reclaim;
    /** Whether the breaker knows this pool keeps idle connections (to reclaim one for a waiting pool). */
    private boolean holdsIdle;
    private ScheduledFuture<?> idleTimer;

    Http1ConnectionPool(UpstreamConnector connector, UpstreamHost host, EventLoop loop) {
        this.connector = connector;
        this.host = host;
        this.loop = loop;
        this.breaker = host.breaker();
        this.reclaim = () -> loop.execute(this::closeOneIdle);
    }

    @Override
    public void acquire(StreamCallback callback, int connectTimeoutMillis) {
        Connection connection;
        while ((connection = idle.pollLast()) != null) {
            if (connection.channel.isActive()) {
                callback.onStream(connection);
                return;
            }
        }
        if (breaker.tryAcquireConnection()) {
            connect(callback, connectTimeoutMillis);
        } else if (breaker.tryAcquirePending()) {
            waiters.add(new Waiter(callback, connectTimeoutMillis));
            breaker.awaitConnection(wakeup);
        } else {
            callback.onOverloaded(RejectionReason.MAX_PENDING_REQUESTS);
        }
    }

    private void connect(StreamCallback callback, int connectTimeoutMillis) {
        HttpDecoderConfig decoder = new HttpDecoderConfig()
                .setMaxInitialLineLength(connector.limits().maxInitialLineLength())
                .setMaxHeaderSize(connector.limits().maxHeaderSize())
                .setMaxChunkSize(connector.limits().maxChunkSize());
        UpstreamResponseHandler handler = new UpstreamResponseHandler();
        ChannelFuture future = connector.bootstrap(loop, connectTimeoutMillis, new ChannelInitializer<SocketChannel>() {
            @Override
            protected void initChannel(SocketChannel ch) {
                ch.pipeline().addLast(new HttpClientCodec(decoder, false, false), handler);
                connector.secure(ch, host);
            }
        }).connect(host.address());
        open++;
        future.addListener((ChannelFuture f) -> {
            if (f.isSuccess()) {
                Connection connection = new Connection(f.channel(), handler);
                f.channel().closeFuture().addListener(ignored -> closed(connection));
                UpstreamConnector.whenReady(f.channel(), () -> callback.onStream(connection), callback::onStreamFailure);
            } else {
                open--;
                breaker.releaseConnection();
                callback.onStreamFailure(f.cause());
            }
        });
    }

    private void closed(Connection connection) {
        open--;
        idle.remove(connection);
        if (!waiters.isEmpty()) {
            // The closed connection's slot goes straight to the longest waiting request.
            Waiter waiter = waiters.poll();
            breaker.releasePending();
            connect(waiter.callback, waiter.connectTimeoutMillis);
        } else {
            breaker.releaseConnection();
        }
    }

    private void executeServeWaiter() {
        loop.execute(this::serveWaiter);
    }

    /** A connection slot freed up: the longest waiting request may open a connection. */
    private void serveWaiter() {
        if (waiters.isEmpty()) {
            // Served meanwhile: the slot goes to another loop's waiting pool.
            breaker.wakeConnectionWaiter();
            return;
        }
        if (breaker.tryAcquireConnection()) {
            Waiter waiter = waiters.poll();
            breaker.releasePending();
            connect(waiter.callback, waiter.connectTimeoutMillis);
        }
        if (!waiters.isEmpty()) {
            breaker.awaitConnection(wakeup);
        }
    }

    private void offer(Connection connection) {
        Waiter waiter = waiters.poll();
        if (waiter != null) {
            breaker.releasePending();
            if (waiters.isEmpty()) {
                // Served by a released connection: stale registrations would make pools close idle connections for nobody.
                while (breaker.cancelAwaitConnection(wakeup)) {
                    // one registration per waiter
                }
            }
            waiter.callback.onStream(connection);
            return;
        }
        if (retired || breaker.hasConnectionWaiters()) {
            // Another event loop waits for a connection slot: free this one rather than idle it.
            connection.channel.close();
            return;
        }
        connection.idleSinceNanos = System.nanoTime();
        idle.addLast(connection);
        // A read pending while idle notices an upstream that closes the connection.
        connection.channel.read();
        if (idleTimer == null) {
            idleTimer = loop.schedule(closeIdle, host.idleTimeoutNanos(), TimeUnit.NANOSECONDS);
        }
        if (!holdsIdle) {
            holdsIdle = true;
            breaker.holdsIdle(reclaim);
        }
    }

    /** A pool waits for a connection slot that this pool's idle connections hold: the least recently used goes. */
    private void closeOneIdle() {
        holdsIdle = false;
        Connection oldest = idle.pollFirst();
        if (oldest == null) {
            // Reused meanwhile: another pool may have one.
            breaker.reclaimIdle();
            return;
        }
        oldest.channel.close();
        if (!idle.isEmpty()) {
            holdsIdle = true;
            breaker.holdsIdle(reclaim);
        }
    }

    /**
     * Closes the connections unused for the host's idle timeout. The least recently used are at
     * the head of the idle list, so the sweep stops at the first one still in time, and runs
     * again when that one would expire: one timer per pool, not one per connection.
     */
    private void closeIdle() {
        idleTimer = null;
        long timeout = host.idleTimeoutNanos();
        long now = System.nanoTime();
        Connection oldest;
        while ((oldest = idle.peekFirst()) != null && now - oldest.idleSinceNanos >= timeout) {
            idle.pollFirst();
            oldest.channel.close();
        }
        if (oldest != null) {
            idleTimer = loop.schedule(closeIdle, oldest.idleSinceNanos + timeout - now, TimeUnit.NANOSECONDS);
        }
    }

    @Override
    public void retire() {
        loop.execute(() -> {
            retired = true;
            Connection connection;
            while ((connection = idle.poll()) != null) {
                connection.channel.close();
            }
        });
    }

    @Override
    public int openConnections() {
        return open;
    }

    private record Waiter(StreamCallback callback, int connectTimeoutMillis) {
    }

    private final class Connection implements UpstreamStream {
        private final Channel channel;
        private final UpstreamResponseHandler handler;
        private long idleSinceNanos;

        Connection(Channel channel, UpstreamResponseHandler handler) {
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
            if (reusable && channel.isActive() && !retired) {
                offer(this);
            } else {
                channel.close();
            }
        }

        @Override
        public boolean multiplexed() {
            return false;
        }
    }
}
